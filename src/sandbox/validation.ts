import { badRequest, Body } from './reply';

/**
 * Declarative checks for one kind of body. Required fields and one-of groups apply
 * to creates; the shape checks apply to every field that is present, so an update
 * cannot slip in a malformed value either.
 */
export interface Rules {
  required?: string[];
  /** Each group needs at least one filled field (a non-empty array counts, an empty one does not). */
  oneOf?: string[][];
  dates?: string[];
  arrays?: string[];
  nonEmptyArrays?: string[];
  /** Fields that must be JSON objects when present (`traits` always must). */
  objects?: string[];
  /** Field -> collection whose Vitally id it must hold (every entry, for arrays). */
  refs?: Record<string, string>;
  enums?: Record<string, readonly string[]>;
  /** Checks for each entry of an array field. */
  items?: Record<string, (item: unknown, path: string) => void>;
  check?: (body: Body, prefix: string) => void;
}

export interface ValidationContext {
  create: boolean;
  /** Printed before field names, e.g. `batch[3].` or `messages[0].`. */
  prefix?: string;
  exists?: (collection: string, id: string) => boolean;
}

/** Not absent: undefined, null and '' count as missing. */
export const present = (v: unknown): boolean => v !== undefined && v !== null && v !== '';

const filled = (v: unknown): boolean => present(v) && !(Array.isArray(v) && v.length === 0);

const NOUNS: Record<string, string> = { organizations: 'organization', accounts: 'account', users: 'user' };

export function validate(rules: Rules, body: Body, ctx: ValidationContext): void {
  const p = ctx.prefix ?? '';
  for (const f of rules.required ?? []) {
    if (ctx.create ? !present(body[f]) : f in body && !present(body[f])) throw badRequest(`${p}${f} is required`);
  }
  if (ctx.create) {
    for (const group of rules.oneOf ?? []) {
      if (!group.some((f) => filled(body[f]))) throw badRequest(`${orList(group.map((f) => p + f))} is required`);
    }
  }
  for (const f of [...(rules.arrays ?? []), ...(rules.nonEmptyArrays ?? []), ...Object.keys(rules.items ?? {})]) {
    if (present(body[f]) && !Array.isArray(body[f])) throw badRequest(`${p}${f} must be an array`);
  }
  for (const f of rules.nonEmptyArrays ?? []) {
    if (Array.isArray(body[f]) && (body[f] as unknown[]).length === 0)
      throw badRequest(`${p}${f} must be a non-empty array`);
  }
  for (const [f, checkItem] of Object.entries(rules.items ?? {})) {
    if (Array.isArray(body[f])) (body[f] as unknown[]).forEach((item, i) => checkItem(item, `${p}${f}[${i}]`));
  }
  for (const f of rules.dates ?? []) {
    if (present(body[f])) requireDate(body[f], p + f);
  }
  for (const [f, allowed] of Object.entries(rules.enums ?? {})) {
    if (present(body[f]) && !allowed.includes(body[f] as string))
      throw badRequest(`${p}${f} must be one of ${allowed.join(', ')}`);
  }
  for (const f of new Set(['traits', ...(rules.objects ?? [])])) {
    if (present(body[f]) && !isPlainObject(body[f])) throw badRequest(`${p}${f} must be an object`);
  }
  for (const [f, collection] of Object.entries(rules.refs ?? {})) {
    if (ctx.exists && present(body[f])) checkRefs(body[f], p + f, collection, ctx.exists);
  }
  rules.check?.(body, p);
}

function checkRefs(value: unknown, path: string, collection: string, exists: (c: string, id: string) => boolean): void {
  const what = Array.isArray(value)
    ? `Vitally ids of existing ${collection}`
    : `the Vitally id of an existing ${NOUNS[collection] ?? collection}`;
  for (const id of Array.isArray(value) ? value : [value]) {
    if (typeof id !== 'string' || !exists(collection, id)) {
      throw badRequest(`${path} must be ${what}; ${JSON.stringify(id)} is not one`);
    }
  }
}

function requireDate(value: unknown, path: string): void {
  if (typeof value !== 'string' || Number.isNaN(Date.parse(value)))
    throw badRequest(`${path} must be an ISO 8601 date`);
}

/** An array entry that must be an object, checked by `rules` with its path as prefix. */
export function objectItem(rules: Rules) {
  return (item: unknown, path: string): void => {
    if (!isPlainObject(item)) throw badRequest(`${path} must be an object`);
    validate(rules, item, { create: true, prefix: `${path}.` });
  };
}

export function isPlainObject(v: unknown): v is Body {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function orList(names: string[]): string {
  return names.length <= 2 ? names.join(' or ') : `${names.slice(0, -1).join(', ')} or ${names[names.length - 1]}`;
}
