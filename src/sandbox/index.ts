/**
 * The Vitally sandbox: a local emulator of Vitally's REST API (`/resources`) and
 * Analytics API (`/analytics/v1`), written from vitally-api.md and nothing in the
 * node's own code, for tests, the benchmark and `npm start`.
 *
 * Choices where Vitally documents nothing:
 * - Writes answer 200 with the object. DELETE: users 204 with no body (Vitally's
 *   scheduled delete; the sandbox removes at once); notes, tasks, projects and
 *   meetings are archived (archivedAt set, 200 with the object, still readable by
 *   id, listed only with `archived=true`); everything else is removed, 200 with the
 *   removed object.
 * - A POST with an externalId already in use is an upsert for organizations, notes,
 *   tasks and NPS responses (documented), a 400 everywhere else (no duplicates).
 * - Relationship fields (accountId, accountIds, organizationId, organizationIds,
 *   customerId, userId) must hold Vitally ids of stored objects: 400 otherwise.
 * - Lists: `limit` 1..100 (default 100; anything else is a 400, not clamped),
 *   `from` an opaque cursor, `sortBy` updatedAt (default) or createdAt, newest first.
 * - Rate limit: one strict sliding window of units per credential (REST key,
 *   Analytics token); a read costs 1 unit, a write `writeCost` (default 1).
 *   Counted: every authenticated request that is not answered 429 (injected 5xx
 *   and dropped connections count, 401s and 429s never do). Every API response
 *   carries the RateLimit headers, a 401 those of the API it was addressed to.
 *   The sandbox's own 429s carry `Retry-After` equal to `RateLimit-Reset`: the
 *   seconds until the refused request would fit. Injected 429s say 1 in both.
 * - Analytics: the required fields per message type of vitally-api.md §1.2, on the
 *   single endpoints and per message of a batch (`batch[3].traits is required`);
 *   the owner (accountId or organizationId) of a customobjectinstance only with
 *   `requireInstanceOwner`, because the node's template test sends none yet.
 * - Faults, in order, after auth and the window: scripted failNext, then one seeded
 *   draw decides drop / 5xx / 429. Latency delays every API response.
 * - Control routes (no auth, not logged, not rate limited): GET /_sandbox/state,
 *   GET /_sandbox/requests, GET /_sandbox/store/:resource, POST /_sandbox/reset,
 *   GET|POST /_sandbox/faults, POST /_sandbox/fail-next; the page at `/`.
 */
export { Sandbox, startSandbox, SEED_NAMES } from './sandbox';
export type { SandboxOptions, SeedName } from './sandbox';
export type { FaultOptions, Latency } from './faults';
export type { LoggedRequest, Counters } from './request-log';
export type { Settings } from './control-routes';
export type { SandboxState } from './page';
export { DEMO, SEEDED_CUSTOM_OBJECT_ID } from './demo';
export type { SeedData } from './resources';
export { ServerRateWindow } from './rate-window';
