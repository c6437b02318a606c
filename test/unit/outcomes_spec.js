'use strict';
const assert = require('node:assert/strict');

const { failureReason, responseMessage } = require('../../dist/delivery/outcomes');

const outcome = (status, body, error, extra = {}) => ({
  status,
  body,
  error,
  headers: {},
  ok: false,
  attempts: 1,
  unanswered: 0,
  ...extra,
});

describe('delivery/outcomes', function () {
  describe('failureReason', function () {
    it("names the status and Vitally's error text", function () {
      assert.equal(failureReason(outcome(400, { error: 'name is required' })), 'HTTP 400: name is required');
      assert.equal(
        failureReason(outcome(400, { message: 'externalId is required' })),
        'HTTP 400: externalId is required',
      );
      assert.equal(failureReason(outcome(400, { error: { field: 'x' } })), 'HTTP 400: {"field":"x"}');
      assert.equal(failureReason(outcome(500, 'Internal error')), 'HTTP 500: Internal error');
      assert.equal(failureReason(outcome(503, undefined)), 'HTTP 503');
      assert.equal(failureReason(outcome(503, '')), 'HTTP 503');
      assert.equal(failureReason(outcome(404, { other: 1 })), 'HTTP 404: {"other":1}');
    });

    it('gives the network or local error when there is no status', function () {
      assert.equal(
        failureReason(outcome(undefined, undefined, 'timeout: no response in time')),
        'timeout: no response in time',
      );
      assert.equal(failureReason(outcome(undefined, undefined, undefined)), 'no response');
    });

    it('quotes at most about 500 characters of a non-JSON body', function () {
      const html = `<html><body>${'Bad gateway. '.repeat(400)}</body></html>`;
      const reason = failureReason(outcome(502, html));
      assert.match(reason, /^HTTP 502: <html>/);
      assert.ok(reason.length <= 600, `${reason.length} characters`);
    });
  });

  describe('responseMessage (output 2)', function () {
    const request = {
      method: 'POST',
      url: 'https://acme.rest.vitally.io/resources/accounts',
      api: 'rest',
      body: { a: 1 },
    };

    it('carries the answer, the request (no Authorization), records, attempts and purpose', function () {
      const msg = responseMessage({
        request: { ...request, headers: { 'X-Trace': '1' } },
        purpose: 'write',
        records: 3,
        source: { topic: 't', payload: 'the input' },
        outcome: {
          ok: true,
          status: 201,
          headers: { 'ratelimit-remaining': '9' },
          body: { id: 'v1' },
          attempts: 2,
          unanswered: 1,
        },
      });
      assert.deepEqual(msg, {
        topic: 't',
        payload: { id: 'v1' },
        statusCode: 201,
        headers: { 'ratelimit-remaining': '9' },
        request: { method: 'POST', url: 'https://acme.rest.vitally.io/resources/accounts', body: { a: 1 } },
        records: 3,
        attempts: 2,
        purpose: 'write',
      });
    });

    it('marks a request that was not sent as a dry run, with 0 attempts', function () {
      const msg = responseMessage({ request, purpose: 'write', records: 1 });
      assert.equal(msg.dryRun, true);
      assert.equal(msg.attempts, 0);
      assert.equal(msg.statusCode, undefined);
      assert.equal(msg.payload, undefined);
    });

    it('names the error of a call that got no answer, and the purpose of lookups and reads', function () {
      const lookup = responseMessage({
        request: { method: 'GET', url: 'https://acme.rest.vitally.io/resources/accounts/a', api: 'rest' },
        purpose: 'lookup',
        records: 1,
        outcome: outcome(undefined, undefined, 'timeout: no response in time', { attempts: 3 }),
      });
      assert.equal(lookup.purpose, 'lookup');
      assert.equal(lookup.error, 'timeout: no response in time');
      assert.equal(lookup.attempts, 3);
      assert.equal('dryRun' in lookup, false);
      assert.equal(
        responseMessage({ request, purpose: 'read', records: 1, outcome: outcome(200, []) }).purpose,
        'read',
      );
    });
  });
});
