/**
 * A destination node's settings, read and checked once when the node starts: which template
 * (or manual request), exclusions, batching, retries, and the delete guard.
 */
import { MANUAL, MAX_BATCH, Template, getTemplate, isBatchable, typedParams } from '../catalogue';
import { ConfigError, Hosts } from '../client/hosts';
import { DEFAULT_RETRY, RetryPolicy } from '../delivery/retry';
import { positiveNumber } from './numbers';
import { parseExclude } from './body';
import {
  EvaluatedRecord, ManualSettings, PlannedRequest, parseManualSettings, planAnalyticsBatch, planManualBatch,
  planManualRecord, planTemplateRecord,
} from './plan';

export interface DestinationSettings {
  endpoint?: string;
  exclude?: string;
  batch?: boolean | string;
  batchSize?: number | string;
  grouping?: string;
  groupField?: string;
  batchTimeout?: number | string;
  dryRun?: boolean | string;
  confirmDelete?: boolean | string;
  method?: string;
  url?: string;
  headers?: string;
  retries?: number | string;
  retryMaxDelay?: number | string;
  [key: string]: unknown;
}

export interface Batching {
  size: number;
  timeoutMs: number;
  /** Undefined: batches fill in arrival order. */
  groupField?: string;
  combine(hosts: Hosts, parts: PlannedRequest[]): PlannedRequest;
}

export interface Destination {
  endpoint: string;
  template?: Template;
  manual?: ManualSettings;
  /** The typedInput path parameters to evaluate for each record. */
  params: string[];
  exclude: string[][];
  batching?: Batching;
  dryRun: boolean;
  retry: RetryPolicy;
}

const flag = (v: unknown) => v === true || v === 'true';

export function parseDestination(s: DestinationSettings): Destination {
  const endpoint = s.endpoint || 'createAccount';
  const dryRun = flag(s.dryRun);
  let template: Template | undefined;
  let manual: ManualSettings | undefined;
  if (endpoint === MANUAL) {
    manual = parseManualSettings(s.method, s.url, s.headers);
  } else {
    template = getTemplate(endpoint);
    if (!template) throw new ConfigError(`unknown endpoint template "${endpoint}"`);
  }
  const method = template ? template.method : manual!.method;
  if (method === 'DELETE' && !dryRun && !flag(s.confirmDelete)) {
    throw new ConfigError('deletes are irreversible: tick "confirm deletes" to send them (a dry run shows them without it)');
  }
  let batching: Batching | undefined;
  if (flag(s.batch) && (manual || isBatchable(template!))) {
    const size = positiveNumber(s.batchSize, MAX_BATCH, 'batch size');
    if (template && size > MAX_BATCH) throw new ConfigError(`batch size is at most ${MAX_BATCH} (Vitally's /batch limit)`);
    const groupField = s.grouping === 'field' ? (s.groupField || '').trim() : undefined;
    if (groupField === '') throw new ConfigError('grouping by field needs a field name');
    batching = {
      size,
      timeoutMs: positiveNumber(s.batchTimeout, 1000, 'batch timeout'),
      groupField,
      combine: template ? (hosts, parts) => planAnalyticsBatch(template!, hosts, parts) : (_hosts, parts) => planManualBatch(parts),
    };
  }
  const retries = s.retries === undefined || s.retries === null || String(s.retries).trim() === ''
    ? DEFAULT_RETRY.retries : Number(s.retries);
  if (!Number.isInteger(retries) || retries < 0) throw new ConfigError(`retries must be a whole number, not "${s.retries}"`);
  return {
    endpoint,
    template,
    manual,
    params: template ? typedParams(template) : [],
    exclude: parseExclude(s.exclude),
    batching,
    dryRun,
    retry: {
      ...DEFAULT_RETRY,
      retries,
      maxDelayMs: positiveNumber(s.retryMaxDelay, DEFAULT_RETRY.maxDelayMs / 1000, 'maximum retry delay', false) * 1000,
    },
  };
}

/** One record's request. `view` is the message the record is rendered against (manual URLs). */
export function planRecord(dest: Destination, hosts: Hosts, view: unknown, ev: EvaluatedRecord): PlannedRequest {
  return dest.template
    ? planTemplateRecord(dest.template, hosts, ev, dest.exclude)
    : planManualRecord(dest.manual!, hosts, view, ev.body, dest.exclude);
}
