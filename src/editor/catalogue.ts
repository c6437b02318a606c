/**
 * The endpoint templates as GET vitally/endpoints serves them, loaded once per editor session.
 * Fields the runtime may not send yet (`sample`, `paged`, `kind`, optional parameters) are
 * read defensively: the dialog works without them.
 */
import { getJSON } from './ajax';
import { DESTINATION_TYPE, td } from './i18n';

export const MANUAL = 'manual';

/** What a read template gives back: one object, a search's matches, or a paged list. */
export type ReadShape = 'get' | 'find' | 'list';

export interface Template {
  id: string;
  label: string;
  group: string;
  api: string;
  method: string;
  path: string;
  /** Path parameters filled from the node's typedInputs, in path order. */
  params: string[];
  /** Parameters that may be left empty (a list narrowed to a parent only when given). */
  optionalParams: string[];
  required: string[];
  irreversible: boolean;
  batchable: boolean;
  description: string;
  /** An example record that passes the template's required fields. */
  sample?: unknown;
  /** Set for read templates. */
  read?: ReadShape;
}

let templates: Template[] | null = null;
const byId = new Map<string, Template>();
let waiting: Array<(list: Template[] | null) => void> | null = null;

const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

/** How a read template reads, from whichever flag the catalogue gives (or, failing all, its id). */
function readShape(raw: Record<string, unknown>, method: string, group: string): ReadShape | undefined {
  const id = String(raw.id);
  const kind = typeof raw.kind === 'string' ? raw.kind : undefined;
  const isRead = method === 'GET' || kind === 'read' || kind === 'list' || kind === 'find' || group === 'Read';
  if (!isRead) return undefined;
  if (raw.paged === true || kind === 'list' || raw.read === 'list' || /^list/.test(id)) return 'list';
  if (raw.search === true || kind === 'find' || raw.read === 'find' || /^(find|search)/.test(id)) return 'find';
  return 'get';
}

/** One catalogue entry as the dialog uses it. Parameters may come as names or `{ name, optional }`. */
export function normalize(raw: Record<string, unknown>): Template {
  const params: string[] = [];
  const optionalParams = strings(raw.optionalParams);
  for (const p of Array.isArray(raw.params) ? raw.params : []) {
    if (typeof p === 'string') params.push(p);
    else if (p && typeof p === 'object' && typeof (p as { name?: unknown }).name === 'string') {
      const { name, optional } = p as { name: string; optional?: unknown };
      params.push(name);
      if (optional === true) optionalParams.push(name);
    }
  }
  const method = String(raw.method || 'POST').toUpperCase();
  const group = String(raw.group || '');
  return {
    id: String(raw.id),
    label: String(raw.label || raw.id),
    group,
    api: String(raw.api || 'rest'),
    method,
    path: String(raw.path || ''),
    params,
    optionalParams,
    required: strings(raw.required),
    irreversible: raw.irreversible === true,
    batchable: raw.batchable === true,
    description: String(raw.description || ''),
    sample: raw.sample,
    read: readShape(raw, method, group),
  };
}

export const catalogue = () => templates;
export const templateOf = (id: unknown) => (typeof id === 'string' ? byId.get(id) : undefined);

/** Loads the catalogue once; `cb` gets it (null when it could not load). */
export function loadCatalogue(cb?: (list: Template[] | null) => void): void {
  if (templates) {
    cb?.(templates);
    return;
  }
  if (waiting) {
    if (cb) waiting.push(cb);
    return;
  }
  waiting = cb ? [cb] : [];
  void getJSON('vitally/endpoints').then((answer) => {
    if (answer.status === 200 && Array.isArray(answer.body)) {
      templates = (answer.body as Record<string, unknown>[])
        .filter((t) => t && typeof t.id === 'string')
        .map(normalize);
      for (const t of templates) byId.set(t.id, t);
      // Nodes validated before the catalogue arrived were judged leniently: look again.
      RED.nodes.eachNode((n) => {
        if (n.type === DESTINATION_TYPE) {
          RED.editor.validateNode(n);
          n.dirty = true;
        }
      });
      RED.view.redraw(true);
    } else {
      RED.notify(td('catalogue.failed', { status: answer.status || '-' }), { type: 'error' });
    }
    const callbacks = waiting ?? [];
    waiting = null;
    for (const fn of callbacks) fn(templates);
  });
}

/** Whether records may be batched: the Analytics templates, and manual mode. */
export function batchApplies(endpoint: unknown): boolean {
  return endpoint === MANUAL || !!templateOf(endpoint)?.batchable;
}

/** Whether sending needs "Allow irreversible deletes". */
export function isIrreversible(endpoint: unknown, method: unknown): boolean {
  return endpoint === MANUAL ? method === 'DELETE' : !!templateOf(endpoint)?.irreversible;
}

/** REST templates that write: where relationship fields may hold your own ids. */
export const writesRest = (t: Template | undefined) => !!t && t.api === 'rest' && !t.read && t.method !== 'DELETE';
