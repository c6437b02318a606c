import type { Settings } from './control-routes';
import type { Counters, LoggedRequest } from './request-log';

/** What the page and GET /_sandbox/state show. Holds no keys or tokens. */
export interface SandboxState {
  url: string;
  counts: Record<string, number>;
  latest: Record<string, object[]>;
  counters: Counters;
  requests: LoggedRequest[];
  settings: Settings;
}

const LABEL_FIELDS = [
  'name',
  'title',
  'subject',
  'label',
  'event',
  'note',
  'message',
  'externalId',
  'userId',
  'accountId',
  'organizationId',
  'id',
];

/** A read-only overview; refreshes itself every few seconds. */
export function renderPage(state: SandboxState): string {
  const resources = Object.entries(state.counts)
    .map(
      ([name, count]) =>
        `<tr><td>${esc(name)}</td><td class="n">${count}</td><td>${(state.latest[name] ?? []).map(describe).join('<br>')}</td></tr>`,
    )
    .join('');
  const requests = state.requests
    .map(
      (r) =>
        `<tr><td>${esc(new Date(r.time).toISOString())}</td><td>${esc(r.method)}</td><td>${esc(r.path)}</td><td class="n">${esc(String(r.status))}</td></tr>`,
    )
    .join('');
  const byStatus = Object.entries(state.counters.byStatus)
    .map(([status, n]) => `${esc(status)}: ${n}`)
    .join(', ');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta http-equiv="refresh" content="5">
<title>Vitally sandbox</title>
<style>body{font:14px system-ui,sans-serif;margin:2em}table{border-collapse:collapse;margin-bottom:2em}td,th{border:1px solid #ccc;padding:3px 8px;text-align:left;vertical-align:top}.n{text-align:right}code{background:#f4f4f4}</style>
</head><body>
<h1>Vitally sandbox</h1>
<p>REST API: <code>${esc(state.url)}/resources</code> &middot; Analytics API: <code>${esc(state.url)}/analytics/v1</code></p>
<p>Requests: ${state.counters.total} (${byStatus || 'none yet'}; dropped: ${state.counters.dropped})</p>
<h2>Stored objects</h2>
<table><tr><th>resource</th><th>count</th><th>latest</th></tr>${resources}</table>
<h2>Latest requests</h2>
<table><tr><th>time</th><th>method</th><th>path</th><th>status</th></tr>${requests}</table>
</body></html>`;
}

function describe(obj: object): string {
  const o = obj as Record<string, unknown>;
  const field = LABEL_FIELDS.find((f) => typeof o[f] === 'string' || typeof o[f] === 'number');
  const label = field ? String(o[field]).slice(0, 80) : '(object)';
  return `${esc(label)}${o.id && field !== 'id' ? ` <small>${esc(String(o.id))}</small>` : ''}`;
}

function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
