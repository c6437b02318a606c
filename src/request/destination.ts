/**
 * A destination node's settings, read and checked once when the node starts: which template
 * (or manual request), exclusions, batching, retries, and the delete guard.
 */
import { MANUAL, MAX_BATCH, Template, getTemplate, isBatchable, typedParams } from '../catalogue';
import { ConfigError } from '../core/errors';
import { Hosts } from '../core/hosts';
import { DESTINATION_SETTINGS, Settings, readSetting } from '../core/settings';
import { PlannedRequest, RetryPolicy } from '../core/types';
import { parseExclude } from './body';
import {
  EvaluatedRecord,
  ManualSettings,
  parseManualSettings,
  planAnalyticsBatch,
  planManualBatch,
  planManualRecord,
  planTemplateRecord,
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

/** First backoff step: short, since most retried failures are a moment's overload. */
const BASE_RETRY_DELAY_MS = 500;

export function parseDestination(s: DestinationSettings): Destination {
  const settings = s as Settings;
  const read = <K extends keyof typeof DESTINATION_SETTINGS & string>(name: K) =>
    readSetting(DESTINATION_SETTINGS, name, settings);
  const endpoint = s.endpoint || 'createAccount';
  const dryRun = read('dryRun');
  let template: Template | undefined;
  let manual: ManualSettings | undefined;
  if (endpoint === MANUAL) {
    manual = parseManualSettings(s.method, s.url, s.headers);
  } else {
    template = getTemplate(endpoint);
    if (!template) throw new ConfigError(`unknown endpoint template "${endpoint}"`);
  }
  const method = template ? template.method : manual!.method;
  if (method === 'DELETE' && !dryRun && !read('confirmDelete')) {
    throw new ConfigError(
      'deletes are irreversible: tick "confirm deletes" to send them (a dry run shows them without it)',
    );
  }
  let batching: Batching | undefined;
  if (read('batch') && (manual || isBatchable(template!))) {
    batching = {
      size: Math.min(read('batchSize'), MAX_BATCH),
      timeoutMs: read('batchTimeout'),
      groupField: read('grouping') === 'field' ? read('groupField') : undefined,
      combine: template
        ? (hosts, parts) => planAnalyticsBatch(template!, hosts, parts)
        : (_hosts, parts) => planManualBatch(parts),
    };
  }
  return {
    endpoint,
    template,
    manual,
    params: template ? typedParams(template) : [],
    exclude: parseExclude(s.exclude),
    batching,
    dryRun,
    retry: { retries: read('retries'), maxDelayMs: read('retryMaxDelay') * 1000, baseDelayMs: BASE_RETRY_DELAY_MS },
  };
}

/** One record's request. `view` is the message the record is rendered against (manual URLs). */
export function planRecord(dest: Destination, hosts: Hosts, view: unknown, ev: EvaluatedRecord): PlannedRequest {
  return dest.template
    ? planTemplateRecord(dest.template, hosts, ev, dest.exclude)
    : planManualRecord(dest.manual!, hosts, view, ev.body, dest.exclude);
}
