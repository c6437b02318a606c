import { Requirement, Template, describeRequirement } from '../catalogue';
import { ConfigError, RecordError } from '../core/errors';

const PROTOTYPE_KEYS = new Set(['__proto__', 'prototype', 'constructor']);

/** Parses the node's `exclude` setting: comma-separated, trimmed, dotted paths allowed. */
export function parseExclude(setting: string | undefined): string[][] {
  const paths = (setting || '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((s) => s.split('.'));
  for (const path of paths) {
    // Walking these would reach Object.prototype, not the record.
    if (path.some((key) => PROTOTYPE_KEYS.has(key))) {
      throw new ConfigError(
        `excluded attribute "${path.join('.')}" goes through ${path.find((k) => PROTOTYPE_KEYS.has(k))}`,
      );
    }
    if (path.some((key) => key === ''))
      throw new ConfigError(`excluded attribute "${path.join('.')}" has an empty part`);
  }
  return paths;
}

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** The body without the excluded attributes; copies only along the paths it changes. */
export function excludeAttributes(body: unknown, paths: string[][]): unknown {
  let out = body;
  for (const path of paths) out = without(out, path);
  return out;
}

function without(value: unknown, path: string[]): unknown {
  if (!isPlainObject(value) || !Object.prototype.hasOwnProperty.call(value, path[0])) return value;
  if (path.length === 1) {
    const { [path[0]]: _removed, ...rest } = value;
    return rest;
  }
  const inner = without(value[path[0]], path.slice(1));
  return inner === value[path[0]] ? value : { ...value, [path[0]]: inner };
}

/** A value as an error message quotes it: JSON when it can be, never long. */
export function shortJson(value: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = typeof value === 'bigint' ? `${value}n` : Object.prototype.toString.call(value);
  }
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

function present(value: unknown, kind: Requirement['kind']): boolean {
  if (value === undefined || value === null || value === '') return false;
  switch (kind) {
    case 'array':
      return Array.isArray(value);
    case 'nonEmptyArray':
      return Array.isArray(value) && value.length > 0;
    case 'score':
      return Number.isInteger(value) && (value as number) >= 0 && (value as number) <= 10;
    case 'object':
      return isPlainObject(value);
    default:
      return true;
  }
}

/** Throws a RecordError naming the first missing or malformed required field. */
export function checkRequired(t: Template, body: unknown): void {
  if (!isPlainObject(body)) {
    const got = body === null ? 'null' : Array.isArray(body) ? 'an array' : typeof body;
    throw new RecordError(`the request body must be an object, not ${got}`);
  }
  for (const r of t.required) {
    if (r.fields.some((f) => present(body[f], r.kind))) continue;
    const given = r.fields.find((f) => body[f] !== undefined && body[f] !== null && body[f] !== '');
    let message =
      given !== undefined
        ? `${describeRequirement(r)} is required; got ${shortJson(body[given])}`
        : `${describeRequirement(r)} is required`;
    const alias = r.fields.flatMap((f) => (t.aliases?.[f] || []).filter((a) => a in body).map((a) => [a, f]))[0];
    if (alias) message += ` (the record has "${alias[0]}": Vitally expects "${alias[1]}")`;
    throw new RecordError(message);
  }
}
