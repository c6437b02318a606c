import { TEMPLATES, Template, Requirement } from './templates';

export * from './templates';

export const MANUAL = 'manual';
/** Vitally's /batch takes at most this many messages. */
export const MAX_BATCH = 100;

const byId = new Map(TEMPLATES.map((t) => [t.id, t]));

export function getTemplate(id: string): Template | undefined {
  return byId.get(id);
}

/** Every `{name}` in a path, in order. */
export function pathPlaceholders(path: string): string[] {
  return Array.from(path.matchAll(/\{([^}]+)\}/g), (m) => m[1]);
}

/** The placeholders filled from the node's typedInputs (not from the record). */
export function typedParams(t: Template): string[] {
  return pathPlaceholders(t.path).filter((p) => p !== t.recordIdParam);
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
    default:
      return names;
  }
}

export interface EditorTemplate {
  id: string;
  label: string;
  group: string;
  api: string;
  method: string;
  path: string;
  params: string[];
  required: string[];
  irreversible: boolean;
  batchable: boolean;
  description: string;
}

/** The catalogue as GET /vitally/endpoints serves it to the editor. */
export function editorCatalogue(): EditorTemplate[] {
  return TEMPLATES.map((t) => ({
    id: t.id,
    label: t.label,
    group: t.group,
    api: t.api,
    method: t.method,
    path: t.path,
    params: typedParams(t),
    required: t.required
      .map(describeRequirement)
      .concat(t.recordIdParam ? [`${t.recordIdParam} (or the record itself as a string)`] : []),
    irreversible: t.irreversible,
    batchable: isBatchable(t),
    description: t.description,
  }));
}
