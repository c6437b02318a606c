import type { EditorTemplate } from '../core/types';
import { TEMPLATES, Template, Requirement } from './templates';

export type { EditorTemplate };

export * from './templates';

export const MANUAL = 'manual';
/** Vitally's /batch takes at most this many messages. */
export const MAX_BATCH = 100;
/** Vitally's largest page. */
export const MAX_PAGE = 100;

const byId = new Map(TEMPLATES.map((t) => [t.id, t]));

export function getTemplate(id: string): Template | undefined {
  return byId.get(id);
}

/** Every `{name}` in a path, in order. */
export function pathPlaceholders(path: string): string[] {
  return Array.from(path.matchAll(/\{([^}]+)\}/g), (m) => m[1]);
}

/**
 * The path parameters filled from the node's typedInputs (not from the record), the optional
 * parents of a list last.
 */
export function typedParams(t: Template): string[] {
  const own = pathPlaceholders(t.path).filter((p) => p !== t.recordIdParam && !(t.upsert && p === 'externalId'));
  return [...own, ...(t.read?.parents ?? [])];
}

/** Templates that may batch: the Analytics API's /batch is Vitally's only array endpoint. */
export function isBatchable(t: Template): boolean {
  return t.api === 'analytics';
}

export function describeRequirement(r: Requirement): string {
  const names = r.fields.join(' or ');
  switch (r.kind) {
    case 'array':
      return `${names} (array)`;
    case 'nonEmptyArray':
      return `${names} (non-empty array)`;
    case 'score':
      return `${names} (integer 0-10)`;
    case 'object':
      return `${names} (object, may be empty)`;
    default:
      return names;
  }
}

/** What a template needs from each record, in words: required fields, or a read's query. */
export function describeFields(t: Template): string[] {
  if (t.read) {
    const r = t.read;
    if (r.exactlyOne) return [`exactly one of ${r.exactlyOne.map((g) => g.join(' + ')).join(', ')}`];
    if (r.needs) return r.needs;
    return r.query.length ? [`optional ${r.query.join(', ')}`] : [];
  }
  const fields = t.required.map(describeRequirement);
  return t.recordIdParam ? [...fields, `${t.recordIdParam} (or the record itself as a string)`] : fields;
}

/** The catalogue as GET /vitally/endpoints serves it to the editor. */
export function editorCatalogue(): EditorTemplate[] {
  return TEMPLATES.map((t) => ({
    id: t.id,
    label: t.label,
    group: t.group,
    kind: t.kind,
    api: t.api,
    method: t.upsert ? (t.upsert.find === 'path' ? 'PUT, else POST' : 'search, then PUT or POST') : t.method,
    path: t.path,
    params: typedParams(t),
    optionalParams: t.read?.parents ?? [],
    required: describeFields(t),
    irreversible: t.irreversible,
    batchable: isBatchable(t),
    many: t.read?.returns === 'many',
    paged: t.read?.paged === true,
    relationships: Object.keys(t.relationships ?? {}),
    description: t.description,
    sample: t.sample,
    sampleParams: t.sampleParams ?? {},
  }));
}
