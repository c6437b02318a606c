/**
 * The endpoint templates as GET vitally/endpoints serves them, loaded once per editor session.
 * Each entry is read defensively (a missing field takes a harmless default), so an editor
 * talking to an older runtime still works.
 */
import type { EditorTemplate } from '../core/types';
import { getJSON } from './ajax';
import { DESTINATION_TYPE, td } from './i18n';

export const MANUAL = 'manual';

/** As the runtime serves it (src/core is the one layer the editor shares with the runtime). */
export type Template = EditorTemplate;

let templates: Template[] | null = null;
const byId = new Map<string, Template>();
let waiting: Array<(list: Template[] | null) => void> | null = null;

const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

function stringMap(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (v && typeof v === 'object' && !Array.isArray(v)) {
    for (const [k, x] of Object.entries(v)) if (typeof x === 'string') out[k] = x;
  }
  return out;
}

/** One catalogue entry as the dialog uses it. */
export function normalize(raw: Record<string, unknown>): Template {
  const method = String(raw.method || 'POST');
  const kind = typeof raw.kind === 'string' ? raw.kind : method === 'GET' ? 'read' : 'write';
  return {
    id: String(raw.id),
    label: String(raw.label || raw.id),
    group: String(raw.group || ''),
    kind,
    api: String(raw.api || 'rest'),
    method,
    path: String(raw.path || ''),
    params: strings(raw.params),
    optionalParams: strings(raw.optionalParams),
    required: strings(raw.required),
    irreversible: raw.irreversible === true,
    batchable: raw.batchable === true,
    many: raw.many === true,
    paged: raw.paged === true,
    relationships: strings(raw.relationships),
    description: String(raw.description || ''),
    sample: raw.sample,
    sampleParams: stringMap(raw.sampleParams),
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
