#!/usr/bin/env node
/**
 * `npm run sandbox`: the sandbox alone on 127.0.0.1. Flags win over environment
 * variables, which win over the defaults (port 4010, key sandbox-key, 1000 requests
 * per 60000 ms, writes cost 1, no demo data). See docs/sandbox.md.
 */
import { DEMO, SEEDED_CUSTOM_OBJECT_ID } from './demo';
import { SEED_NAMES, SeedName, startSandbox } from './sandbox';

const USAGE = `Usage: node dist/sandbox/cli.js [--port N] [--key KEY] [--rate-limit N] [--window-ms MS]
       [--write-cost N] [--seed demo] [--latency-ms MS]
Environment: SANDBOX_PORT, SANDBOX_API_KEY, SANDBOX_ANALYTICS_TOKEN, SANDBOX_RATE_LIMIT, SANDBOX_WINDOW_MS,
       SANDBOX_WRITE_COST, SANDBOX_SEED`;

const FLAGS = ['--port', '--key', '--rate-limit', '--window-ms', '--write-cost', '--seed', '--latency-ms'];

function parseArgs(argv: string[]): Record<string, string> {
  const args: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--help' || arg === '-h') {
      console.log(USAGE);
      process.exit(0);
    }
    const eq = arg.indexOf('=');
    const flag = eq < 0 ? arg : arg.slice(0, eq);
    const value = eq < 0 ? argv[++i] : arg.slice(eq + 1);
    if (!FLAGS.includes(flag)) fail(`unknown option ${arg}`);
    if (value === undefined) fail(`${flag} needs a value`);
    args[flag] = value;
  }
  return args;
}

function number(value: string | undefined, name: string): number | undefined {
  if (value === undefined || value === '') return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) fail(`${name} must be a non-negative number, not ${value}`);
  return n;
}

function seedName(value: string | undefined): SeedName | undefined {
  if (value === undefined || value === '') return undefined;
  if (!SEED_NAMES.includes(value as SeedName))
    fail(`--seed / SANDBOX_SEED takes ${SEED_NAMES.join(', ')}, not ${value}`);
  return value as SeedName;
}

function fail(message: string): never {
  console.error(`${message}\n${USAGE}`);
  process.exit(2);
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const env = process.env;
  const sandbox = await startSandbox({
    port: number(args['--port'] ?? env.SANDBOX_PORT, 'port') ?? 4010,
    apiKey: args['--key'] ?? env.SANDBOX_API_KEY ?? 'sandbox-key',
    analyticsToken: env.SANDBOX_ANALYTICS_TOKEN ?? 'sandbox-analytics-token',
    rateLimit: number(args['--rate-limit'] ?? env.SANDBOX_RATE_LIMIT, 'rate limit'),
    windowMs: number(args['--window-ms'] ?? env.SANDBOX_WINDOW_MS, 'window'),
    writeCost: number(args['--write-cost'] ?? env.SANDBOX_WRITE_COST, 'write cost'),
    seed: seedName(args['--seed'] ?? env.SANDBOX_SEED),
    latencyMs: number(args['--latency-ms'], 'latency'),
  });
  const { rateLimit, windowMs, writeCost, seed } = sandbox.settings();
  console.log(`Vitally sandbox listening on ${sandbox.url}`);
  console.log(`  REST API:      ${sandbox.url}/resources`);
  console.log(`  Analytics API: ${sandbox.url}/analytics/v1`);
  console.log(`  Custom object "Subscriptions": ${SEEDED_CUSTOM_OBJECT_ID}`);
  console.log(`  Rate limit: ${rateLimit} units per ${windowMs} ms; a read costs 1, a write ${writeCost}`);
  if (seed === 'demo') {
    const ids = (list: readonly { externalId: string }[]) => list.map((o) => o.externalId);
    console.log(`  Demo workspace: organizations ${ids(DEMO.organizations).join(', ')}`);
    console.log(`    accounts ${ids(DEMO.accounts).join(', ')} (${DEMO.churnedAccount} churned)`);
    console.log(`    users user-1 .. user-${DEMO.users.length}; admins ${DEMO.admins.map((a) => a.email).join(', ')}`);
  }
  const stop = () => {
    sandbox.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((err: Error) => {
  console.error(`Vitally sandbox could not start: ${err.message}`);
  process.exit(1);
});
