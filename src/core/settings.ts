/**
 * Every setting of both nodes, described once: kind, default, range or pattern, and when
 * it applies. The runtime reads settings through `readSetting`; the editor bundle imports
 * this same module for its validators, so the dialog and the runtime cannot disagree.
 */
import { ConfigError } from './errors';

export type SettingValue = string | number | boolean;
export type Settings = Record<string, unknown>;

interface Common {
  /** How messages name the setting. */
  label: string;
  /** The setting only matters (and is only checked) when this holds. */
  when?: (settings: Settings) => boolean;
}

export interface NumberSpec extends Common {
  kind: 'number';
  default: number;
  min: number;
  max: number;
  integer: boolean;
  unit?: string;
}

export interface ChoiceSpec extends Common {
  kind: 'choice';
  default: string;
  options: readonly string[];
}

export interface TextSpec extends Common {
  kind: 'text';
  default: string;
  /** Blank is a problem (when the setting applies). */
  required?: boolean;
  /** Returns what is wrong with a non-blank value. */
  check?: (value: string) => string | undefined;
}

export interface FlagSpec extends Common {
  kind: 'flag';
  default: boolean;
}

export type SettingSpec = NumberSpec | ChoiceSpec | TextSpec | FlagSpec;

export const SUBDOMAIN_PATTERN = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/i;

/** `${NAME}`: Node-RED substitutes it from the environment when the flow starts. */
export const ENV_REFERENCE = /^\$\{[A-Za-z_][A-Za-z0-9_]*\}$/;

export const isFlagSet = (v: unknown): boolean => v === true || v === 'true';

/** The problem with a base URL, if any: an absolute http(s) origin with nothing else. */
export function baseUrlProblem(raw: string): string | undefined {
  const trimmed = raw.trim();
  let url: URL;
  try {
    url = new URL(trimmed);
  } catch {
    return `base URL "${raw}" is not an absolute URL`;
  }
  if (
    !/^https?:$/.test(url.protocol) ||
    url.pathname !== '/' ||
    url.search ||
    url.hash ||
    url.username ||
    url.password ||
    /[?#]/.test(trimmed)
  ) {
    return 'base URL must be http(s)://host[:port] with no path, query or credentials';
  }
  return undefined;
}

const number = (
  label: string,
  def: number,
  min: number,
  max: number,
  integer: boolean,
  extra: Partial<NumberSpec> = {},
): NumberSpec => ({
  kind: 'number',
  label,
  default: def,
  min,
  max,
  integer,
  ...extra,
});

const regionIs = (region: string) => (s: Settings) => (s.region || 'us') === region;

export const CONFIG_SETTINGS = {
  region: { kind: 'choice', label: 'region', default: 'us', options: ['us', 'eu', 'custom'] },
  subdomain: {
    kind: 'text',
    label: 'subdomain',
    default: '',
    required: true,
    when: regionIs('us'),
    check: (v) =>
      SUBDOMAIN_PATTERN.test(v.trim())
        ? undefined
        : `subdomain "${v}" is not a valid Vitally subdomain (letters, digits and inner hyphens: the acme of acme.vitally.io)`,
  },
  baseUrl: {
    kind: 'text',
    label: 'base URL',
    default: '',
    required: true,
    when: regionIs('custom'),
    check: baseUrlProblem,
  },
  rateLimit: number('rate limit', 1000, 1, 1_000_000, true, { unit: 'requests' }),
  rateWindow: number('rate window', 60, 0.01, 86_400, false, { unit: 's' }),
  concurrency: number('concurrency', 4, 1, 100, true),
  timeout: number('timeout', 30, 0.01, 3600, false, { unit: 's' }),
  maxPause: number('maximum pause', 300, 0.01, 86_400, false, { unit: 's' }),
  budget: { kind: 'choice', label: 'rate budget', default: 'local', options: ['local', 'redis'] },
  redisPrefix: {
    kind: 'text',
    label: 'Redis key prefix',
    default: 'vitally:',
    when: (s) => s.budget === 'redis',
    check: (v) =>
      /^[\w:.-]{1,64}$/.test(v) ? undefined : 'Redis key prefix may hold letters, digits, _ : . - (at most 64)',
  },
} satisfies Record<string, SettingSpec>;

const batching = (s: Settings) => isFlagSet(s.batch);

export const DESTINATION_SETTINGS = {
  bodyType: { kind: 'choice', label: 'body', default: 'msg', options: ['msg', 'json', 'jsonata'] },
  batchSize: number('batch size', 100, 1, 100, true, { when: batching }),
  grouping: { kind: 'choice', label: 'grouping', default: 'count', options: ['count', 'field'], when: batching },
  groupField: {
    kind: 'text',
    label: 'group field',
    default: '',
    required: true,
    when: (s) => batching(s) && s.grouping === 'field',
  },
  batchTimeout: number('batch timeout', 1000, 1, 3_600_000, true, { unit: 'ms', when: batching }),
  retries: number('retries', 5, 0, 20, true),
  retryMaxDelay: number('maximum retry delay', 60, 0.01, 3600, false, { unit: 's' }),
  maxRecords: number('maximum records', 1000, 0, 10_000_000, true),
  relationshipIds: { kind: 'choice', label: 'relationship ids', default: 'vitally', options: ['vitally', 'external'] },
  method: { kind: 'choice', label: 'method', default: 'POST', options: ['GET', 'POST', 'PUT', 'DELETE'] },
  dryRun: { kind: 'flag', label: 'dry run', default: false },
  confirmDelete: { kind: 'flag', label: 'allow irreversible deletes', default: false },
  batch: { kind: 'flag', label: 'batch', default: false },
  split: { kind: 'flag', label: 'one message per page', default: false },
} satisfies Record<string, SettingSpec>;

export type ConfigSettingName = keyof typeof CONFIG_SETTINGS;
export type DestinationSettingName = keyof typeof DESTINATION_SETTINGS;

const blank = (v: unknown) => v === undefined || v === null || (typeof v === 'string' && v.trim() === '');

/**
 * What is wrong with a value, or undefined when it is fine. Blank means the default
 * (except for required text). `settings` are the node's other values, for `when`.
 */
export function settingProblem(spec: SettingSpec, value: unknown, settings: Settings = {}): string | undefined {
  if (spec.when && !spec.when(settings)) return undefined;
  if (blank(value)) return spec.kind === 'text' && spec.required ? `${spec.label} is required` : undefined;
  switch (spec.kind) {
    case 'number': {
      // Plain decimals only: Number() would also take "0x10", "1e3" and [5].
      const text = typeof value === 'string' ? value.trim() : '';
      const n = typeof value === 'number' ? value : /^-?\d+(\.\d+)?$/.test(text) ? Number(text) : NaN;
      const whole = spec.integer ? 'a whole number' : 'a number';
      if (!Number.isFinite(n) || (spec.integer && !Number.isInteger(n)) || n < spec.min || n > spec.max) {
        return `${spec.label} must be ${whole} from ${spec.min} to ${spec.max}${spec.unit ? ` (${spec.unit})` : ''}, not "${String(value)}"`;
      }
      return undefined;
    }
    case 'choice':
      return spec.options.includes(String(value))
        ? undefined
        : `${spec.label} must be one of ${spec.options.join(', ')}, not "${String(value)}"`;
    case 'flag':
      return typeof value === 'boolean' || value === 'true' || value === 'false'
        ? undefined
        : `${spec.label} must be true or false`;
    case 'text':
      return typeof value !== 'string' ? `${spec.label} must be text` : spec.check?.(value);
  }
}

/** The value of a setting as the runtime uses it; throws a ConfigError naming the problem. */
export function readSetting<T extends Record<string, SettingSpec>, K extends keyof T & string>(
  specs: T,
  name: K,
  settings: Settings,
): T[K]['default'] {
  const spec = specs[name];
  const value = settings[name];
  const problem = settingProblem(spec, value, settings);
  if (problem) throw new ConfigError(problem);
  if (blank(value)) return spec.default;
  switch (spec.kind) {
    case 'number':
      return Number(value);
    case 'flag':
      return isFlagSet(value);
    case 'text':
      return String(value).trim();
    default:
      return String(value);
  }
}
