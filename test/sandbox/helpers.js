'use strict';
// Shared by the sandbox specs: a tiny HTTP client over real sockets (node:http,
// a fresh connection per request so a dropped connection affects only its own call).
const http = require('node:http');
const { startSandbox } = require('../../dist/sandbox');

const API_KEY = 'sandbox-key';
const ANALYTICS_TOKEN = 'sandbox-analytics-token';
const REST_AUTH = `Basic ${Buffer.from(`${API_KEY}:`).toString('base64')}`;
const ANALYTICS_AUTH = `Basic ${ANALYTICS_TOKEN}`;

/** Resolves { status, headers, body (parsed JSON, or text), text }; rejects when the connection drops. */
function request(sandbox, method, path, { body, headers = {}, raw } = {}) {
  return new Promise((resolve, reject) => {
    const payload = raw !== undefined ? raw : body === undefined ? undefined : JSON.stringify(body);
    const req = http.request(
      `${sandbox.url}${path}`,
      {
        method,
        agent: false,
        headers: {
          ...(payload !== undefined && {
            'Content-Type': 'application/json',
            'Content-Length': Buffer.byteLength(payload),
          }),
          ...headers,
        },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c) => (text += c));
        res.on('end', () => {
          let parsed;
          try {
            parsed = text ? JSON.parse(text) : undefined;
          } catch {
            parsed = text;
          }
          resolve({ status: res.statusCode, headers: res.headers, body: parsed, text });
        });
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

const rest = (sandbox, method, path, body, headers) =>
  request(sandbox, method, `/resources${path}`, { body, headers: { Authorization: REST_AUTH, ...headers } });

const analytics = (sandbox, path, body, headers) =>
  request(sandbox, 'POST', `/analytics/v1${path}`, { body, headers: { Authorization: ANALYTICS_AUTH, ...headers } });

const control = (sandbox, method, path, body) => request(sandbox, method, `/_sandbox${path}`, { body });

/** Starts a sandbox on an ephemeral port before each test of the calling suite and closes it after. */
function useSandbox(options = {}) {
  const ctx = {};
  beforeEach(async () => {
    ctx.sandbox = await startSandbox({ seed: 42, ...options });
  });
  afterEach(async () => {
    await ctx.sandbox.close();
  });
  return ctx;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

module.exports = {
  API_KEY,
  ANALYTICS_TOKEN,
  REST_AUTH,
  ANALYTICS_AUTH,
  request,
  rest,
  analytics,
  control,
  useSandbox,
  sleep,
};
