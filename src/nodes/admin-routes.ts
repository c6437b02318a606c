/**
 * The editor's admin endpoints: the catalogue, "Test connection", the sample request preview,
 * "Send test" and the last record a node received. Each checks the types of what it is sent
 * (a malformed body is a 400, never a crash), answers JSON, and never a key.
 */
import { performance } from 'perf_hooks';
import { editorCatalogue } from '../catalogue';
import { VitallyClient, errorText, requestHeaders } from '../client/http';
import { ConfigError } from '../core/errors';
import { ConnectionSettings, Hosts, resolveHosts } from '../core/hosts';
import { ENV_REFERENCE } from '../core/settings';
import { HttpResult } from '../core/types';
import { Connection } from '../delivery/connection';
import { DestinationEngine, PreviewCall, Workspace } from '../delivery/engine';
import { IdCache } from '../delivery/id-cache';
import { KeyLock } from '../delivery/key-lock';
import { failureReason } from '../delivery/outcomes';
import { RedisRateWindow } from '../delivery/redis-window';
import { Resolver } from '../delivery/resolver';
import { DestinationSettings, parseDestination } from '../request/destination';
import { VitallyConfigNode } from './connection';
import { compileRecordEvaluator } from './evaluate';
import { RED, Request, Response } from './red';
import { clock } from './status';

/** The first record of the last message each destination node received, for the editor's sample panel. */
export const lastRecords = new Map<string, unknown>();

const PLACEHOLDER = '__PWRD__';
const TEST_TIMEOUT_MS = 10000;
/** A preview renders at most this many records, however many it is sent. */
export const PREVIEW_RECORDS = 100;

/** A body that is not what the route takes: answered 400. */
class BadRequest extends Error {}

type Kind = 'string' | 'object' | 'array' | 'boolean';

function kindOf(v: unknown): string {
  return v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v;
}

/** The body as an object whose named fields, when present, have the given kinds. */
function checkBody(req: Request, fields: Record<string, Kind>): Record<string, unknown> {
  const body = req.body ?? {};
  if (kindOf(body) !== 'object') throw new BadRequest('the request body must be a JSON object');
  const b = body as Record<string, unknown>;
  for (const [name, kind] of Object.entries(fields)) {
    if (b[name] !== undefined && kindOf(b[name]) !== kind) {
      throw new BadRequest(`${name} must be ${kind === 'array' ? 'an array' : `a ${kind}`}, not ${kindOf(b[name])}`);
    }
  }
  return b;
}

/** Runs a route handler: malformed requests are 400s, other failures 200 `{ error }` for the dialog to show. */
function route(handler: (req: Request, res: Response) => Promise<void> | void) {
  return async (req: Request, res: Response) => {
    try {
      await handler(req, res);
    } catch (err) {
      const message = (err as Error)?.message ?? String(err);
      res.status(err instanceof BadRequest ? 400 : 200).json({ error: message });
    }
  };
}

/** What "Test connection" tells the user for each answer. */
export function connectionVerdict(
  result: HttpResult,
  hosts: Hosts,
): { ok: boolean; statusCode?: number; message: string } {
  const host = new URL(hosts.restBase).host;
  if (result.status === undefined) return { ok: false, message: `Could not reach ${host}: ${result.error}` };
  const detail = errorText(result.body);
  const statusCode = result.status;
  if (statusCode >= 200 && statusCode < 300) {
    return { ok: true, statusCode, message: `Connected to ${host}: the API key works` };
  }
  if (statusCode === 401 || statusCode === 403) {
    return {
      ok: false,
      statusCode,
      message: `${host} refused the API key (HTTP ${statusCode}${detail ? `: ${detail}` : ''})`,
    };
  }
  if (statusCode === 404) {
    return {
      ok: false,
      statusCode,
      message: `${host} has no REST API here (HTTP 404): check the region and subdomain`,
    };
  }
  if (statusCode === 429) {
    return {
      ok: false,
      statusCode,
      message: `${host} accepted the key but paused it for now (HTTP 429: too many requests)`,
    };
  }
  return { ok: false, statusCode, message: `${host} answered HTTP ${statusCode}${detail ? `: ${detail}` : ''}` };
}

function deployedConfig(red: RED, id: unknown): VitallyConfigNode | null {
  return typeof id === 'string' && id ? (red.nodes.getNode(id) as VitallyConfigNode | null) : null;
}

function connectionOf(config: VitallyConfigNode | null): Connection | undefined {
  try {
    return config?.connection();
  } catch {
    return undefined;
  }
}

/**
 * A saved config node's key, for a test against the host the dialog shows. The key only ever
 * goes to the host it was saved for: after a change of host it has to be typed again.
 */
function storedKeyFor(red: RED, id: string, hosts: Hosts): string | undefined | { refused: string } {
  const apiKey = red.nodes.getCredentials(id)?.apiKey;
  if (!apiKey) return undefined;
  const connection = connectionOf(deployedConfig(red, id));
  const savedFor = connection ? new URL(connection.hosts.restBase).origin : undefined;
  const wanted = new URL(hosts.restBase).origin;
  if (savedFor !== wanted) {
    return {
      refused: `The stored key belongs to ${savedFor ?? 'another configuration'}; type it again to test ${wanted}`,
    };
  }
  return apiKey;
}

/** For a shared budget: whether the Redis URL shown (or stored) answers. The URL is never echoed. */
async function redisVerdict(red: RED, body: Record<string, unknown>): Promise<{ ok: boolean; message: string }> {
  const typed = body.redisUrl && body.redisUrl !== PLACEHOLDER ? String(body.redisUrl) : undefined;
  const url = typed ?? (body.id ? red.nodes.getCredentials(String(body.id))?.redisUrl : undefined);
  if (!url) return { ok: false, message: 'Enter the Redis URL for the shared rate budget' };
  let client;
  try {
    client = RedisRateWindow.createClient(url, { lazyConnect: true, retryStrategy: () => null });
    await client.connect();
    await client.ping();
    return { ok: true, message: `Redis at ${client.options.host}:${client.options.port} answers` };
  } catch (err) {
    return { ok: false, message: `Redis cannot be reached: ${(err as Error).message}` };
  } finally {
    client?.disconnect();
  }
}

/**
 * The dialog's settings as the deployed node would see them: `${NAME}` replaced from this
 * process's environment, as Node-RED does when a flow starts. Only the host settings are
 * taken; keys typed as `${NAME}` work only once deployed.
 */
function fromEnvironment(settings: Record<string, unknown>): Record<string, unknown> {
  const out = { ...settings };
  for (const name of ['region', 'subdomain', 'baseUrl']) {
    const value = out[name];
    if (typeof value === 'string' && ENV_REFERENCE.test(value.trim()))
      out[name] = process.env[value.trim().slice(2, -1)] ?? '';
  }
  return out;
}

const PLAN_FIELDS: Record<string, Kind> = { node: 'object', config: 'object', records: 'array' };

/**
 * The engine a preview or a test send plans with: on the deployed config node's connection
 * (which can look ids up) when the dialog shows its hosts, else on the dialog's hosts alone.
 */
function planner(red: RED, body: Record<string, unknown>, forSend: boolean) {
  const settings = body.node as (DestinationSettings & { id?: string; vitally?: string }) | undefined;
  if (!settings) throw new BadRequest('the request needs the node settings (node)');
  const connection = connectionOf(deployedConfig(red, settings.vitally));
  if (forSend && !connection) {
    throw new ConfigError(
      settings.vitally
        ? 'Deploy the Vitally config node first: a test send uses its key'
        : 'Choose a Vitally configuration node',
    );
  }
  let workspace: Workspace | undefined = connection;
  if (!forSend && body.config) {
    const hosts = resolveHosts(fromEnvironment(body.config as Record<string, unknown>) as ConnectionSettings);
    if (!connection || connection.hosts.restBase !== hosts.restBase) {
      const ids = new IdCache();
      workspace = { hosts, ids, resolver: new Resolver(hosts, ids), upsertLock: new KeyLock() };
    }
  }
  if (!workspace) throw new ConfigError('Choose a Vitally configuration node');
  // A preview shows deletes whatever the guard says; a test send is a real send and obeys it.
  const dest = parseDestination({ ...settings, dryRun: !forSend });
  const deployed = settings.id ? red.nodes.getNode(String(settings.id)) : null;
  const evaluator = compileRecordEvaluator(red, deployed || { id: settings.id || 'preview' }, dest, settings);
  const engine = new DestinationEngine(workspace, dest, evaluator, { call: () => {}, changed: () => {} });
  // `record` may itself be an array of records, as msg.payload may.
  const records = (body.records ?? (Array.isArray(body.record) ? body.record : [body.record])) as unknown[];
  return { engine, connection, records: records.slice(0, PREVIEW_RECORDS) };
}

const shown = (c: PreviewCall) => ({
  method: c.request.method,
  url: c.request.url,
  headers: requestHeaders(c.request),
  body: c.request.body,
  records: c.records,
  purpose: c.purpose,
  ...(c.statusCode !== undefined ? { statusCode: c.statusCode, response: c.response } : {}),
});

export function registerAdminRoutes(RED: RED): void {
  RED.httpAdmin.get(
    '/vitally/endpoints',
    RED.auth.needsPermission('vitally.read'),
    route((_req, res) => res.json(editorCatalogue())),
  );

  RED.httpAdmin.post(
    '/vitally/test-connection',
    RED.auth.needsPermission('vitally.write'),
    route(async (req, res) => {
      const body = checkBody(req, {
        id: 'string',
        region: 'string',
        subdomain: 'string',
        baseUrl: 'string',
        apiKey: 'string',
        budget: 'string',
        redisUrl: 'string',
      });
      let hosts: Hosts;
      try {
        hosts = resolveHosts(fromEnvironment(body) as ConnectionSettings);
      } catch (err) {
        return res.json({ ok: false, message: (err as Error).message });
      }
      let apiKey = body.apiKey && body.apiKey !== PLACEHOLDER ? String(body.apiKey) : undefined;
      if (!apiKey && body.id) {
        const stored = storedKeyFor(RED, String(body.id), hosts);
        if (typeof stored === 'object') return res.json({ ok: false, message: stored.refused });
        apiKey = stored;
      }
      if (!apiKey)
        return res.json({ ok: false, message: 'Enter the API key (or deploy the config node with it) first' });
      const client = new VitallyClient(hosts, { apiKey }, TEST_TIMEOUT_MS, 1);
      try {
        const result = await client.send({ method: 'GET', url: `${hosts.restBase}/users?limit=1`, api: 'rest' });
        const verdict = connectionVerdict(result, hosts);
        const connection = connectionOf(deployedConfig(RED, body.id));
        const pause =
          connection?.hosts.restBase === hosts.restBase
            ? connection.scheduler.budget.pauseInfo(performance.now())
            : undefined;
        if (verdict.ok && pause) {
          verdict.message += `, but Vitally paused this key (${pause.cause}) until ${clock(pause.until)}: queued records wait until then`;
        }
        if (body.budget === 'redis') {
          const redis = await redisVerdict(RED, body);
          verdict.ok &&= redis.ok;
          verdict.message += `. ${redis.message}`;
        }
        res.json(verdict);
      } finally {
        client.close();
      }
    }),
  );

  RED.httpAdmin.post(
    '/vitally/preview',
    RED.auth.needsPermission('vitally.write'),
    route(async (req, res) => {
      const { engine, records } = planner(RED, checkBody(req, PLAN_FIELDS), false);
      res.json((await engine.preview(records)).map(shown));
    }),
  );

  RED.httpAdmin.post(
    '/vitally/test-send',
    RED.auth.needsPermission('vitally.write'),
    route(async (req, res) => {
      const { engine, connection, records } = planner(RED, checkBody(req, PLAN_FIELDS), true);
      if (records.length !== 1) throw new ConfigError('Send test sends exactly one record');
      const final = (await engine.preview(records)).filter((c) => c.purpose !== 'lookup').pop();
      if (!final) throw new ConfigError('nothing to send for this record');
      const result = await connection!.client.send(final.request);
      if (result.status === undefined) return res.json({ error: failureReason(result) });
      res.json({ statusCode: result.status, body: result.body });
    }),
  );

  RED.httpAdmin.get(
    '/vitally/last-record/:id',
    // A record is data a flow received, not flow configuration: as guarded as a preview.
    RED.auth.needsPermission('vitally.write'),
    route((req, res) => {
      if (!lastRecords.has(req.params.id)) {
        return res.status(404).json({ error: 'this node has not received a message since it was deployed' });
      }
      res.json({ record: lastRecords.get(req.params.id) });
    }),
  );
}
