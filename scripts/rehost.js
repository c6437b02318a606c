'use strict';
/*
 * The example flows in examples/ are written against the sandbox at EXAMPLE_HOST; rehost() moves
 * them (config baseUrl, absolute URLs) to wherever a sandbox really runs. Used by `npm start`
 * (scripts/start.js) and the example tests (test/examples/examples_spec.js).
 */

/** The sandbox address the example flows carry. */
const EXAMPLE_HOST = 'http://127.0.0.1:4010';

/** `value` (any JSON) with the sandbox address `from` replaced by `to` in every string. */
function rehost(value, to, from = EXAMPLE_HOST) {
  if (typeof value === 'string') return value.split(from).join(to);
  if (Array.isArray(value)) return value.map((v) => rehost(v, to, from));
  if (value && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, rehost(v, to, from)]));
  return value;
}

module.exports = { rehost, EXAMPLE_HOST };
