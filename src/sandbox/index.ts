/**
 * The Vitally sandbox: a local emulator of Vitally's REST and Analytics APIs, written from
 * vitally-api.md and nothing in the node's own code, for tests, the benchmark and `npm start`.
 * Its user documentation, and every choice it makes where Vitally documents nothing, is in
 * docs/sandbox.md.
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
export { busiestWindow } from './window-stats';
