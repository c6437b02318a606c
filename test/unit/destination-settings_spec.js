'use strict';
const assert = require('node:assert/strict');

const { parseDestination } = require('../../dist/request/destination');
const { ConfigError } = require('../../dist/core/errors');
const DEFAULT_RETRY = { retries: 5, maxDelayMs: 60000, baseDelayMs: 500 };
const { US, throwsWith } = require('./helpers');

describe('request/destination parseDestination', function () {
  it('defaults: createAccount, no batching, not a dry run, the default retry policy', function () {
    const d = parseDestination({});
    assert.equal(d.endpoint, 'createAccount');
    assert.equal(d.template.id, 'createAccount');
    assert.equal(d.batching, undefined);
    assert.equal(d.dryRun, false);
    assert.deepEqual(d.retry, DEFAULT_RETRY);
    assert.deepEqual(d.params, []);
    assert.deepEqual(d.exclude, []);
    assert.equal(d.kind, 'write');
    assert.equal(d.externalIds, false);
    assert.equal(d.maxRecords, 1000);
    assert.equal(d.split, false);
  });

  it('refuses an unknown template', function () {
    throwsWith(
      () => parseDestination({ endpoint: 'createWidget' }),
      ConfigError,
      /unknown endpoint template "createWidget"/,
    );
  });

  it('lists the typedInput params of the template and parses exclude', function () {
    const d = parseDestination({ endpoint: 'updateCustomObjectInstance', exclude: 'a, b.c' });
    assert.deepEqual(d.params, ['customObjectId', 'instanceId']);
    assert.deepEqual(d.exclude, [['a'], ['b', 'c']]);
  });

  describe('delete guard', function () {
    const deletes = [
      'deleteOrganization',
      'deleteAccount',
      'deleteUser',
      'deleteCustomObjectInstance',
      'deleteCustomObjectInstances',
    ];

    it('refuses every delete template without confirmDelete', function () {
      for (const endpoint of deletes) {
        for (const confirmDelete of [undefined, false, 'false', '']) {
          throwsWith(
            () => parseDestination({ endpoint, confirmDelete }),
            ConfigError,
            /irreversible: tick "Allow irreversible deletes"/,
          );
        }
      }
    });

    it('accepts deletes with confirmDelete (boolean or the string "true")', function () {
      for (const endpoint of deletes) {
        assert.equal(parseDestination({ endpoint, confirmDelete: true }).template.method, 'DELETE');
        assert.equal(parseDestination({ endpoint, confirmDelete: 'true' }).template.method, 'DELETE');
      }
    });

    it('lets a dry run render deletes without confirmDelete', function () {
      for (const endpoint of deletes) assert.equal(parseDestination({ endpoint, dryRun: true }).dryRun, true);
      assert.equal(parseDestination({ endpoint: 'deleteUser', dryRun: 'true' }).dryRun, true);
    });

    it('gates manual DELETE too, but not manual POST or PUT', function () {
      throwsWith(
        () => parseDestination({ endpoint: 'manual', method: 'DELETE', url: '/accounts/{{payload.id}}' }),
        ConfigError,
        /irreversible/,
      );
      // The method is a choice of the four upper-case names the dialog offers: anything else is refused.
      throwsWith(
        () => parseDestination({ endpoint: 'manual', method: 'delete', url: '/x', confirmDelete: true }),
        ConfigError,
        /method must be one of GET, POST, PUT, DELETE, not "delete"/,
      );
      assert.equal(
        parseDestination({ endpoint: 'manual', method: 'DELETE', url: '/x', confirmDelete: true }).manual.method,
        'DELETE',
      );
      assert.equal(
        parseDestination({ endpoint: 'manual', method: 'DELETE', url: '/x', dryRun: true }).manual.method,
        'DELETE',
      );
      assert.equal(parseDestination({ endpoint: 'manual', method: 'PUT', url: '/x' }).manual.method, 'PUT');
      assert.equal(parseDestination({ endpoint: 'manual', method: 'GET', url: '/x' }).manual.method, 'GET');
    });

    it('does not gate non-delete templates', function () {
      assert.equal(parseDestination({ endpoint: 'updateAccount' }).template.method, 'PUT');
    });
  });

  describe('batching', function () {
    it('applies to Analytics templates, with the defaults size 100 and 1000 ms', function () {
      const d = parseDestination({ endpoint: 'analyticsTrack', batch: true });
      assert.equal(d.batching.size, 100);
      assert.equal(d.batching.timeoutMs, 1000);
      assert.equal(d.batching.groupField, undefined);
    });

    it('does not apply to REST templates even when ticked', function () {
      for (const endpoint of ['createAccount', 'updateUser', 'createMessage']) {
        assert.equal(parseDestination({ endpoint, batch: true, batchSize: 10 }).batching, undefined, endpoint);
      }
      assert.equal(
        parseDestination({ endpoint: 'deleteUser', confirmDelete: true, batch: 'true' }).batching,
        undefined,
      );
    });

    it('is off unless ticked', function () {
      assert.equal(parseDestination({ endpoint: 'analyticsTrack', batch: false, batchSize: 5 }).batching, undefined);
      assert.equal(parseDestination({ endpoint: 'analyticsTrack', batch: 'false' }).batching, undefined);
    });

    it('refuses a batch size over 100 (the /batch limit) in every mode, as the editor does', function () {
      throwsWith(
        () => parseDestination({ endpoint: 'analyticsUser', batch: true, batchSize: 101 }),
        ConfigError,
        /from 1 to 100/,
      );
      throwsWith(
        () => parseDestination({ endpoint: 'analyticsUser', batch: true, batchSize: '500' }),
        ConfigError,
        /from 1 to 100/,
      );
      throwsWith(
        () => parseDestination({ endpoint: 'manual', url: '/x', batch: 'true', batchSize: '250' }),
        ConfigError,
        /from 1 to 100/,
      );
      assert.equal(
        parseDestination({ endpoint: 'manual', url: '/x', batch: 'true', batchSize: '60' }).batching.size,
        60,
      );
      assert.equal(parseDestination({ endpoint: 'analyticsUser', batch: true, batchSize: '100' }).batching.size, 100);
    });

    it('reads numeric settings given as strings and refuses bad ones', function () {
      const d = parseDestination({ endpoint: 'analyticsUser', batch: 'true', batchSize: '25', batchTimeout: '250' });
      assert.equal(d.batching.size, 25);
      assert.equal(d.batching.timeoutMs, 250);
      assert.equal(
        parseDestination({ endpoint: 'analyticsUser', batch: true, batchSize: '', batchTimeout: '' }).batching.size,
        100,
      );
      for (const batchSize of ['0', '-5', 'ten', '2.5', 0]) {
        throwsWith(
          () => parseDestination({ endpoint: 'analyticsUser', batch: true, batchSize }),
          ConfigError,
          /batch size/,
        );
      }
      for (const batchTimeout of ['0', 'soon', -1]) {
        throwsWith(
          () => parseDestination({ endpoint: 'analyticsUser', batch: true, batchTimeout }),
          ConfigError,
          /batch timeout/,
        );
      }
    });

    it('grouping by field needs a field name, and carries it trimmed', function () {
      throwsWith(
        () => parseDestination({ endpoint: 'analyticsTrack', batch: true, grouping: 'field' }),
        ConfigError,
        /group field is required/,
      );
      throwsWith(
        () => parseDestination({ endpoint: 'analyticsTrack', batch: true, grouping: 'field', groupField: '  ' }),
        ConfigError,
        /group field is required/,
      );
      const d = parseDestination({
        endpoint: 'analyticsTrack',
        batch: true,
        grouping: 'field',
        groupField: ' userId ',
      });
      assert.equal(d.batching.groupField, 'userId');
      assert.equal(
        parseDestination({ endpoint: 'analyticsTrack', batch: true, grouping: 'count', groupField: 'userId' }).batching
          .groupField,
        undefined,
      );
    });

    it('combines Analytics parts into one /batch call and manual parts into one array', function () {
      const a = parseDestination({ endpoint: 'analyticsTrack', batch: true });
      const part = {
        method: 'POST',
        url: 'https://acme.api.vitally.io/analytics/v1/track',
        api: 'analytics',
        body: { event: 'e' },
      };
      const call = a.batching.combine(US, [part, part]);
      assert.equal(call.url, 'https://acme.api.vitally.io/analytics/v1/batch');
      assert.deepEqual(call.body, [
        { type: 'track', event: 'e' },
        { type: 'track', event: 'e' },
      ]);
      const m = parseDestination({ endpoint: 'manual', url: '/x', batch: true });
      const mc = m.batching.combine(US, [
        { ...part, url: 'https://acme.rest.vitally.io/resources/x', api: 'rest' },
        part,
      ]);
      assert.deepEqual(mc.body, [{ event: 'e' }, { event: 'e' }]);
      assert.equal(mc.url, 'https://acme.rest.vitally.io/resources/x');
    });
  });

  describe('retries', function () {
    it('reads retries as a whole number, from a string too', function () {
      assert.equal(parseDestination({ retries: '3' }).retry.retries, 3);
      assert.equal(parseDestination({ retries: 0 }).retry.retries, 0);
      assert.equal(parseDestination({ retries: '' }).retry.retries, DEFAULT_RETRY.retries);
      assert.equal(parseDestination({ retries: ' ' }).retry.retries, DEFAULT_RETRY.retries);
      assert.equal(parseDestination({ retries: null }).retry.retries, DEFAULT_RETRY.retries);
    });

    it('refuses negative, fractional and non-numeric retries', function () {
      for (const retries of ['-1', '1.5', 'many', -2]) {
        throwsWith(() => parseDestination({ retries }), ConfigError, /retries must be a whole number from 0 to 20/);
      }
    });

    it('reads the maximum retry delay in seconds', function () {
      assert.equal(parseDestination({ retryMaxDelay: '2.5' }).retry.maxDelayMs, 2500);
      assert.equal(parseDestination({}).retry.maxDelayMs, DEFAULT_RETRY.maxDelayMs);
      throwsWith(() => parseDestination({ retryMaxDelay: '0' }), ConfigError, /maximum retry delay/);
      assert.equal(parseDestination({ retries: '2' }).retry.baseDelayMs, DEFAULT_RETRY.baseDelayMs);
    });
  });

  it('refuses bad manual settings at parse time', function () {
    throwsWith(() => parseDestination({ endpoint: 'manual' }), ConfigError, /needs a URL/);
    throwsWith(
      () => parseDestination({ endpoint: 'manual', url: '/x', headers: 'Authorization:x' }),
      ConfigError,
      /header Authorization is set by the node or the connection and cannot be given in manual mode/,
    );
    throwsWith(() => parseDestination({ endpoint: 'manual', url: '/x', method: 'PATCH' }), ConfigError, /method/);
  });

  it('refuses an exclusion through __proto__, prototype or constructor at deploy', function () {
    throwsWith(
      () => parseDestination({ endpoint: 'createAccount', exclude: 'a, __proto__.x' }),
      ConfigError,
      /goes through __proto__/,
    );
  });

  describe('kind', function () {
    it('is the template kind; a manual GET reads and other manual methods write', function () {
      assert.equal(parseDestination({ endpoint: 'upsertAccount' }).kind, 'upsert');
      assert.equal(parseDestination({ endpoint: 'listUsers' }).kind, 'read');
      assert.equal(parseDestination({ endpoint: 'analyticsTrack' }).kind, 'write');
      assert.equal(parseDestination({ endpoint: 'manual', method: 'GET', url: '/x' }).kind, 'read');
      assert.equal(parseDestination({ endpoint: 'manual', method: 'PUT', url: '/x' }).kind, 'write');
    });

    it('never batches reads or upserts, even when ticked', function () {
      assert.equal(parseDestination({ endpoint: 'manual', method: 'GET', url: '/x', batch: true }).batching, undefined);
      assert.equal(parseDestination({ endpoint: 'upsertUser', batch: true }).batching, undefined);
      assert.equal(parseDestination({ endpoint: 'listUsers', batch: true }).batching, undefined);
    });

    it('lists the typedInput params of a read, its optional parents included', function () {
      assert.deepEqual(parseDestination({ endpoint: 'listUsers' }).params, ['accountId', 'organizationId']);
      assert.deepEqual(parseDestination({ endpoint: 'getAccount' }).params, ['accountId']);
      assert.deepEqual(parseDestination({ endpoint: 'manual', url: '/x' }).params, []);
    });
  });

  describe('relationship ids', function () {
    it('external applies to templates with relationship fields only', function () {
      for (const endpoint of ['createAccount', 'upsertUser', 'createNote', 'createNpsResponse', 'updateTask']) {
        assert.equal(parseDestination({ endpoint, relationshipIds: 'external' }).externalIds, true, endpoint);
        assert.equal(parseDestination({ endpoint }).externalIds, false, endpoint);
        assert.equal(parseDestination({ endpoint, relationshipIds: 'vitally' }).externalIds, false, endpoint);
      }
      for (const endpoint of ['createOrganization', 'analyticsUser', 'listAccounts', 'deleteAccount']) {
        const settings = { endpoint, relationshipIds: 'external', confirmDelete: true };
        assert.equal(parseDestination(settings).externalIds, false, endpoint);
      }
      assert.equal(parseDestination({ endpoint: 'manual', url: '/x', relationshipIds: 'external' }).externalIds, false);
    });

    it('refuses a value other than vitally or external', function () {
      throwsWith(
        () => parseDestination({ endpoint: 'createAccount', relationshipIds: 'crm' }),
        ConfigError,
        /relationship ids must be one of vitally, external/,
      );
    });
  });

  describe('reads', function () {
    it('maxRecords: default 1000, 0 for all, a whole number otherwise', function () {
      assert.equal(parseDestination({ endpoint: 'listUsers' }).maxRecords, 1000);
      assert.equal(parseDestination({ endpoint: 'listUsers', maxRecords: '0' }).maxRecords, 0);
      assert.equal(parseDestination({ endpoint: 'listUsers', maxRecords: 250 }).maxRecords, 250);
      for (const maxRecords of ['-1', '2.5', 'all']) {
        throwsWith(() => parseDestination({ endpoint: 'listUsers', maxRecords }), ConfigError, /maximum records/);
      }
    });

    it('split applies only to reads that page', function () {
      assert.equal(parseDestination({ endpoint: 'listUsers', split: true }).split, true);
      assert.equal(parseDestination({ endpoint: 'listAccounts', split: 'true' }).split, true);
      assert.equal(parseDestination({ endpoint: 'listUsers' }).split, false);
      for (const endpoint of ['getUser', 'findUsers', 'listCustomFields', 'createAccount', 'upsertAccount']) {
        assert.equal(parseDestination({ endpoint, split: true }).split, false, endpoint);
      }
      assert.equal(parseDestination({ endpoint: 'manual', method: 'GET', url: '/x', split: true }).split, false);
    });
  });
});
