/**
 * The editor's admin endpoints: the catalogue, "Test connection", the sample request preview,
 * "Send test" and the last record a node received. Each answers JSON and never a key.
 */
import { editorCatalogue } from '../catalogue';
import { VitallyClient, errorText, requestHeaders } from '../client/http';
import { ConfigError } from '../core/errors';
import { ConnectionSettings, Hosts, resolveHosts } from '../core/hosts';
import { HttpResult, PlannedRequest } from '../core/types';
import { ConfigSettings, Connection, VitallyConfigNode } from './connection';
import { failureReason } from '../delivery/delivery';
import { DestinationSettings, parseDestination, planRecord } from '../request/destination';
import { compileRecordEvaluator } from './evaluate';
import { Msg, RED, Response } from './red';

/** The first record of the last message each destination node received, for the editor's sample panel. */
export const lastRecords = new Map<string, unknown>();

const PLACEHOLDER = '__PWRD__';
const TEST_TIMEOUT_MS = 10000;

function fail(res: Response, err: unknown, code = 400): void {
  res.status(code).json({ error: (err as Error).message ?? String(err) });
}

/** What "Test connection" tells the user for each answer. */
export function connectionVerdict(result: HttpResult, hosts: Hosts): { ok: boolean; statusCode?: number; message: string } {
  const host = new URL(hosts.restBase).host;
  if (result.status === undefined) return { ok: false, message: `Could not reach ${host}: ${result.error}` };
  const detail = errorText(result.body);
  const statusCode = result.status;
  if (statusCode >= 200 && statusCode < 300) return { ok: true, statusCode, message: `Connected to ${host}: the API key works` };
  if (statusCode === 401 || statusCode === 403) {
    return { ok: false, statusCode, message: `${host} refused the API key (HTTP ${statusCode}${detail ? `: ${detail}` : ''})` };
  }
  if (statusCode === 404) return { ok: false, statusCode, message: `${host} has no REST API here (HTTP 404): check the region and subdomain` };
  return { ok: false, statusCode, message: `${host} answered HTTP ${statusCode}${detail ? `: ${detail}` : ''}` };
}

interface PlanBody {
  node?: DestinationSettings & { id?: string; vitally?: string };
  record?: unknown;
  /** The config dialog's region settings: a preview follows them, deployed or not. */
  config?: ConnectionSettings;
}

function deployedConnection(red: RED, settings: { vitally?: string }): Connection {
  const config = red.nodes.getNode(settings.vitally || '') as VitallyConfigNode | null;
  if (!config) throw new ConfigError('deploy the Vitally config node first: a test send uses its key');
  return config.connection();
}

/**
 * The requests a destination would send for a sample record. A preview renders them for the
 * hosts the dialog shows; a test send needs the deployed config node, whose key it uses.
 */
async function plan(red: RED, body: PlanBody, forSend: boolean) {
  const settings = body.node;
  if (!settings || typeof settings !== 'object') throw new ConfigError('the request needs the node settings');
  const connection = forSend || !body.config ? deployedConnection(red, settings) : undefined;
  const hosts = connection ? connection.hosts : resolveHosts(body.config!);
  // A preview shows deletes whatever the guard says; a test send is a real send and obeys it.
  const dest = parseDestination({ ...settings, dryRun: !forSend });
  const deployed = settings.id ? red.nodes.getNode(settings.id) : null;
  const evaluator = compileRecordEvaluator(red, deployed || { id: settings.id || 'preview' }, dest, settings);
  const many = Array.isArray(body.record);
  const records: unknown[] = many ? (body.record as unknown[]) : [body.record];
  const requests: PlannedRequest[] = [];
  for (const record of records) {
    const ctx = evaluator.context({ payload: record } as Msg, record, many);
    requests.push(planRecord(dest, hosts, ctx, await evaluator.evaluate(ctx)));
  }
  return { connection, requests: dest.batching ? [dest.batching.combine(hosts, requests)] : requests };
}

function shown(req: PlannedRequest) {
  return { method: req.method, url: req.url, headers: requestHeaders(req), body: req.body };
}

/**
 * A saved config node's key, for a test against the host the dialog shows. The key only ever
 * goes to the host it was saved for: after a change of host it has to be typed again.
 */
function storedKeyFor(red: RED, id: string, hosts: Hosts): string | undefined | { refused: string } {
  const apiKey = red.nodes.getCredentials(id)?.apiKey;
  if (!apiKey) return undefined;
  const config = red.nodes.getNode(id) as VitallyConfigNode | null;
  let savedFor: string | undefined;
  try {
    savedFor = config ? new URL(config.connection().hosts.restBase).origin : undefined;
  } catch {
    savedFor = undefined;
  }
  const wanted = new URL(hosts.restBase).origin;
  if (savedFor !== wanted) {
    return { refused: `The stored key belongs to ${savedFor ?? 'another configuration'}; type it again to test ${wanted}` };
  }
  return apiKey;
}

export function registerAdminRoutes(RED: RED): void {
  RED.httpAdmin.get('/vitally/endpoints', RED.auth.needsPermission('vitally-config.read'), (_req, res) => {
    res.json(editorCatalogue());
  });

  RED.httpAdmin.post('/vitally/test-connection', RED.auth.needsPermission('vitally-config.write'), async (req, res) => {
    const body = (req.body || {}) as ConfigSettings & { id?: string; apiKey?: string };
    let hosts: Hosts;
    try {
      hosts = resolveHosts(body);
    } catch (err) {
      return res.json({ ok: false, message: (err as Error).message });
    }
    let apiKey = body.apiKey && body.apiKey !== PLACEHOLDER ? body.apiKey : undefined;
    if (!apiKey && body.id) {
      const stored = storedKeyFor(RED, body.id, hosts);
      if (typeof stored === 'object') return res.json({ ok: false, message: stored.refused });
      apiKey = stored;
    }
    if (!apiKey) return res.json({ ok: false, message: 'Enter the API key (or deploy the config node with it) first' });
    const client = new VitallyClient(hosts, { apiKey }, TEST_TIMEOUT_MS, 1);
    try {
      const result = await client.send({ method: 'GET', url: `${hosts.restBase}/users?limit=1`, api: 'rest' });
      res.json(connectionVerdict(result, hosts));
    } finally {
      client.close();
    }
  });

  RED.httpAdmin.post('/vitally/preview', RED.auth.needsPermission('vitally-destination.read'), async (req, res) => {
    try {
      const { requests } = await plan(RED, req.body || {}, false);
      res.json(requests.map(shown));
    } catch (err) {
      fail(res, err, 200);
    }
  });

  RED.httpAdmin.post('/vitally/test-send', RED.auth.needsPermission('vitally-destination.write'), async (req, res) => {
    let connection: Connection | undefined;
    let requests: PlannedRequest[];
    try {
      ({ connection, requests } = await plan(RED, req.body || {}, true));
      if (requests.length !== 1) throw new ConfigError('Send test sends exactly one record');
    } catch (err) {
      return fail(res, err, 200);
    }
    const result = await connection!.client.send(requests[0]);
    if (result.status === undefined) return res.json({ error: failureReason({ ...result, ok: false, attempts: 1 }) });
    res.json({ statusCode: result.status, body: result.body });
  });

  RED.httpAdmin.get('/vitally/last-record/:id', RED.auth.needsPermission('vitally-destination.read'), (req, res) => {
    if (!lastRecords.has(req.params.id)) return fail(res, new Error('this node has not received a message since it was deployed'), 404);
    res.json({ record: lastRecords.get(req.params.id) });
  });
}
