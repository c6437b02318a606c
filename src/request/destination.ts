/**
 * A destination node's settings, read and checked once when the node starts: which template
 * (or manual request), exclusions, batching, reads, relationship ids, retries, the delete guard.
 */
import { MANUAL, MAX_BATCH, Template, TemplateKind, getTemplate, isBatchable, typedParams } from '../catalogue';
import { ConfigError } from '../core/errors';
import { Hosts } from '../core/hosts';
import { DESTINATION_SETTINGS, Settings, readSetting } from '../core/settings';
import { PlannedRequest, RetryPolicy } from '../core/types';
import { parseExclude } from './body';
import { ManualSettings, planManualBatch, parseManualSettings } from './manual';
import { planAnalyticsBatch } from './plan';

export interface DestinationSettings {
  endpoint?: string;
  exclude?: string;
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
  /** write, upsert or read; a manual GET reads, other manual requests write. */
  kind: TemplateKind;
  template?: Template;
  manual?: ManualSettings;
  /** The typedInput path parameters to evaluate for each record. */
  params: string[];
  exclude: string[][];
  batching?: Batching;
  dryRun: boolean;
  /** Relationship fields hold your own external ids, to be resolved before the write. */
  externalIds: boolean;
  /** Reads that list: stop after this many objects (0: all). */
  maxRecords: number;
  /** Reads that page: one output-1 message per page. */
  split: boolean;
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
    manual = parseManualSettings(read('method'), s.url as string | undefined, s.headers as string | undefined);
  } else {
    template = getTemplate(endpoint);
    if (!template) throw new ConfigError(`unknown endpoint template "${endpoint}"`);
  }
  const method = template ? template.method : manual!.method;
  if (method === 'DELETE' && !dryRun && !read('confirmDelete')) {
    throw new ConfigError(
      'deletes are irreversible: tick "Allow irreversible deletes" to send them (a dry run shows them without it)',
    );
  }
  const kind: TemplateKind = template ? template.kind : method === 'GET' ? 'read' : 'write';
  let batching: Batching | undefined;
  if (read('batch') && kind === 'write' && (manual || isBatchable(template!))) {
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
    kind,
    template,
    manual,
    params: template ? typedParams(template) : [],
    exclude: parseExclude(s.exclude),
    batching,
    dryRun,
    externalIds: read('relationshipIds') === 'external' && Boolean(template?.relationships),
    maxRecords: read('maxRecords'),
    split: read('split') && Boolean(template?.read?.paged),
    retry: { retries: read('retries'), maxDelayMs: read('retryMaxDelay') * 1000, baseDelayMs: BASE_RETRY_DELAY_MS },
  };
}
