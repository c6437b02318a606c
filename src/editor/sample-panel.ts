/**
 * The sample request panel: a sample record (the template's own example until the user edits
 * it, or the last record the deployed node received), a live preview of the requests the node
 * would send for it, and "Send test", which sends the first of them once with the config
 * node's key, after asking whenever that reaches a real workspace.
 */
import { Answer, answerError, getJSON, postJSON } from './ajax';
import { batching, sampleRecords } from './batching';
import { MANUAL, isIrreversible, templateOf } from './catalogue';
import { escapeHtml, td } from './i18n';
import { HostsView, describeHosts } from './hosts';

/** Shown before the catalogue (and its samples) has loaded, and for templates without one. */
const FALLBACK_SAMPLE = { externalId: 'acme-1', name: 'Acme Inc.', traits: { plan: 'pro' } };
const PREVIEW_DELAY_MS = 350;

interface SavedSample {
  text: string;
  /** The text the panel last put there from a template: while it stands, a template change replaces it. */
  fromTemplate?: string;
}

/** Each node's sample for the rest of the editor session, so reopening the dialog keeps it. */
const savedSamples = new Map<string, SavedSample>();

/** One call of a preview, as POST vitally/preview answers it. */
interface PlannedCall {
  method?: string;
  url?: string;
  headers?: Record<string, unknown>;
  body?: unknown;
  /** How many records the call carries. */
  records?: number;
  /** `write`, `read` or `lookup`. */
  purpose?: string;
  /** Set when the preview made the call (reads and lookups change nothing, so they are sent). */
  statusCode?: number;
  response?: unknown;
  error?: string;
}

export interface SamplePanelHost {
  node: EditorNode;
  /** The node's settings as the form now holds them, as Node-RED would save them. */
  settings(): Record<string, unknown>;
  /** Tells the exclusions list which attribute paths the sample has. */
  sampleParsed(sample: unknown): void;
}

export interface SamplePanel {
  /** The template changed: an unedited template sample follows it. */
  templateChanged(endpoint: string): void;
  /** Any setting changed: the preview is redone and an earlier response goes. */
  settingsChanged(): void;
  close(): void;
}

const pretty = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v, null, 2));
const sampleText = (sample: unknown) => JSON.stringify(sample, null, 2);

/** "1 request, carrying 3 records", "2 requests; the first carries 2 records"... */
function summary(requests: number, records: number | undefined, copies: number): string {
  const count = { count: requests, records };
  let text: string;
  if (typeof records !== 'number') {
    text = requests === 1 ? td('preview.oneRequest') : td('preview.manyRequests', count);
  } else if (requests === 1) {
    text = td(records === 1 ? 'preview.oneRequestOneRecord' : 'preview.oneRequestRecords', count);
  } else {
    text = td(records === 1 ? 'preview.firstCarriesOne' : 'preview.firstCarries', count);
  }
  return copies ? `${text} (${td('preview.copies', { count: copies })})` : text;
}

function parseSample(): { empty?: true; error?: string; sample?: unknown } {
  const raw = String($('#vitally-dest-sample').val() ?? '');
  if (!raw.trim()) return { empty: true };
  try {
    return { sample: JSON.parse(raw) as unknown };
  } catch (err) {
    return { error: (err as Error).message };
  }
}

/** The selected config node, when one is selected. */
function selectedConfig(settings: Record<string, unknown>): EditorNode | undefined {
  const id = settings.vitally;
  return typeof id === 'string' && id && id !== '_ADD_' ? RED.nodes.node(id) : undefined;
}

/**
 * The config's region settings as the editor holds them, so a preview follows them before a
 * deploy (Node-RED resolves a `${NAME}` among them from its environment).
 */
function configForPreview(config: EditorNode): Record<string, unknown> {
  return { region: config.region, subdomain: config.subdomain, baseUrl: config.baseUrl };
}

function hostsOf(config: EditorNode): HostsView {
  return describeHosts({ region: config.region, subdomain: config.subdomain, baseUrl: config.baseUrl });
}

/** The path of a URL for a confirmation ("/resources/accounts"); its host may be a `${NAME}`. */
function pathOf(url: string): string {
  return url.replace(/^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/i, '') || '/';
}

export function prepareSamplePanel(host: SamplePanelHost): SamplePanel {
  const { node } = host;
  const box = $('#vitally-dest-sample');
  const previewBox = $('#vitally-dest-preview');
  const result = $('#vitally-dest-send-result');
  const status = $('#vitally-dest-sample-status');

  let fromTemplate: string | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  /** Bumped by every change of template, settings or sample: answers for older ones are dropped. */
  let changes = 0;
  /** Bumped by every preview and every send, so only the latest answer of each is shown. */
  let previewSeq = 0;
  let sendSeq = 0;
  /** The calls of the preview that matches the form now, once it has answered (lookups left out). */
  let lastPreview: PlannedCall[] = [];
  /** Whether that preview was of one record (its last call is then what Send test sends). */
  let lastPreviewOfOne = false;
  let closed = false;

  /** The box grows with its sample, from 6 to 16 lines. */
  function fitBox(): void {
    const lines = String(box.val() ?? '').split('\n').length;
    box.attr('rows', Math.min(16, Math.max(6, lines + 1)));
  }

  function setSample(text: string, isTemplateSample: boolean): void {
    box.val(text);
    fromTemplate = isTemplateSample ? text : undefined;
    fitBox();
  }

  function templateSample(endpoint: string): string | undefined {
    if (endpoint === MANUAL) return undefined;
    const t = templateOf(endpoint);
    if (t) return t.sample === undefined ? sampleText(FALLBACK_SAMPLE) : sampleText(t.sample);
    return undefined;
  }

  // Start from what this node had, else its template's example.
  const saved = savedSamples.get(node.id);
  if (saved) {
    box.val(saved.text);
    fromTemplate = saved.fromTemplate;
    fitBox();
  } else {
    setSample(templateSample(String(host.settings().endpoint)) ?? sampleText(FALLBACK_SAMPLE), true);
  }

  function clearResponse(): void {
    result.empty().removeClass('vitally-dest-error vitally-dest-ok');
  }

  /** The form and sample as they stand, to tell a real change from a repeated event (a blur). */
  let stateKey = '';
  const currentKey = () => JSON.stringify(host.settings()) + String(box.val() ?? '');

  /** Something changed: a response shown (or awaited) for the earlier state goes. */
  function invalidate(): void {
    stateKey = currentKey();
    changes++;
    sendSeq++;
    lastPreview = [];
    lastPreviewOfOne = false;
    previewBox.removeAttr('data-endpoint');
    clearResponse();
    $('#vitally-dest-send').prop('disabled', false);
  }

  function message(target: JQuery, text: string, cls = 'vitally-dest-muted'): void {
    target.empty().append($('<div>').addClass(cls).text(text));
  }

  /** What POST vitally/preview takes: the settings, the config's hosts, and the records. */
  function previewBody(settings: Record<string, unknown>, sample: unknown, config: EditorNode) {
    const { records, copies } = sampleRecords(sample, batching(settings));
    return { body: { node: settings, records, config: configForPreview(config) }, copies };
  }

  function renderPreview(list: PlannedCall[], copies: number): void {
    previewBox.empty();
    let lookups = list.filter((c) => c.purpose === 'lookup');
    let calls = list.filter((c) => c.purpose !== 'lookup');
    if (!list.length) {
      message(previewBox, td('preview.none'));
      return;
    }
    if (!calls.length) {
      // Only lookups: what is written next depends on what they find (an upsert's search).
      calls = lookups;
      lookups = [];
      $('<div class="vitally-dest-preview-summary">').text(td('preview.onlyLookups')).appendTo(previewBox);
    } else {
      $('<div class="vitally-dest-preview-summary">')
        .text(summary(calls.length, calls[0].records, copies))
        .appendTo(previewBox);
    }
    const first = calls[0];
    if (lookups.length) {
      // Your own ids looked up before the write (relationship ids "external", upserts).
      const box = $('<div class="vitally-dest-lookups">').appendTo(previewBox);
      $('<div class="vitally-dest-muted">')
        .text(td('preview.lookups', { count: lookups.length }))
        .appendTo(box);
      for (const l of lookups.slice(0, 5)) {
        const answered = l.statusCode !== undefined ? ` → HTTP ${l.statusCode}` : '';
        $('<div class="vitally-dest-header">')
          .text(`${l.method ?? ''} ${l.url ?? ''}${answered}`)
          .appendTo(box);
      }
    }
    const item = $('<div class="vitally-dest-request">').appendTo(previewBox);
    const line = $('<div class="vitally-dest-request-line">').appendTo(item);
    $('<span class="vitally-dest-method">')
      .attr('data-method', first.method ?? '')
      .text(first.method || '?')
      .appendTo(line);
    $('<code class="vitally-dest-url">')
      .text(first.url ?? '')
      .appendTo(line);
    for (const [name, value] of Object.entries(first.headers ?? {})) {
      $('<div class="vitally-dest-header">')
        .text(`${name}: ${String(value)}`)
        .appendTo(item);
    }
    if (first.body !== undefined && first.body !== null && first.body !== '') {
      $('<pre class="vitally-dest-body">').text(pretty(first.body)).appendTo(item);
    }
    if (first.statusCode !== undefined) {
      // A read: the preview made it (it changes nothing), so its answer is shown too.
      const ok = first.statusCode >= 200 && first.statusCode < 300;
      $('<div class="vitally-dest-read-status">')
        .addClass(ok ? 'vitally-dest-ok' : 'vitally-dest-muted')
        .text(td('preview.answered', { status: first.statusCode }))
        .appendTo(item);
      if (first.response !== undefined && first.response !== '') {
        $('<pre class="vitally-dest-body vitally-dest-response">').text(pretty(first.response)).appendTo(item);
      }
    }
    if (first.error) $('<div class="vitally-dest-error">').text(first.error).appendTo(item);
    if (calls.length > 1) {
      $('<div class="vitally-dest-muted">')
        .text(td('preview.more', { count: calls.length - 1 }))
        .appendTo(previewBox);
    }
  }

  /** Marks the preview as showing the form's present state (for a template: its id). */
  function previewDone(settings: Record<string, unknown>): void {
    previewBox.removeClass('vitally-dest-loading').attr('data-endpoint', String(settings.endpoint ?? ''));
  }

  function refreshPreview(): void {
    timer = undefined;
    const parsed = parseSample();
    if (parsed.sample !== undefined) host.sampleParsed(parsed.sample);
    lastPreview = [];
    const settings = host.settings();
    previewDone(settings);
    if (parsed.empty) return message(previewBox, td('preview.enterSample'));
    if (parsed.error)
      return message(previewBox, td('preview.badSample', { error: parsed.error }), 'vitally-dest-error');
    const config = selectedConfig(settings);
    if (!config) return message(previewBox, td('preview.noConfig'), 'vitally-dest-error');
    const { body, copies } = previewBody(settings, parsed.sample, config);
    const seq = ++previewSeq;
    const at = changes;
    previewBox.addClass('vitally-dest-loading').removeAttr('data-endpoint');
    void postJSON('vitally/preview', body).then((answer: Answer) => {
      if (closed || seq !== previewSeq || at !== changes) return;
      previewDone(settings);
      const error = answerError(answer, td('preview.unreachable'));
      if (error) return message(previewBox, error, 'vitally-dest-error');
      const list = Array.isArray(answer.body) ? (answer.body as PlannedCall[]) : [];
      lastPreview = list.filter((c) => c.purpose !== 'lookup');
      lastPreviewOfOne = !Array.isArray(parsed.sample) && !copies;
      renderPreview(list, copies);
    });
  }

  function schedulePreview(): void {
    if (timer) clearTimeout(timer);
    timer = setTimeout(refreshPreview, PREVIEW_DELAY_MS);
  }

  function showSendResult(answer: Answer): void {
    result.empty().removeClass('vitally-dest-error vitally-dest-ok');
    const res = (answer.body ?? {}) as { statusCode?: unknown; body?: unknown };
    const error = answerError(answer, td('preview.unreachable'));
    if (error || typeof res.statusCode !== 'number') {
      const text = error ?? td('send.noAnswer');
      result
        .addClass('vitally-dest-error')
        .append($('<i class="fa fa-times"></i>'), document.createTextNode(` ${text}`));
      RED.notify(escapeHtml(text), { type: 'error' });
      return;
    }
    const ok = res.statusCode >= 200 && res.statusCode < 300;
    $('<div>')
      .addClass(ok ? 'vitally-dest-ok' : 'vitally-dest-error')
      .append(
        $('<i class="fa"></i>').addClass(ok ? 'fa-check' : 'fa-times'),
        document.createTextNode(` HTTP ${res.statusCode}`),
      )
      .appendTo(result);
    if (res.body !== undefined && res.body !== '')
      $('<pre class="vitally-dest-body">').text(pretty(res.body)).appendTo(result);
    RED.notify(td(ok ? 'send.ok' : 'send.failed', { status: res.statusCode }), {
      type: ok ? 'success' : 'error',
      timeout: 3000,
    });
  }

  function send(body: Record<string, unknown>): void {
    const button = $('#vitally-dest-send').prop('disabled', true);
    clearResponse();
    const seq = ++sendSeq;
    result.append($('<i class="fa fa-spinner fa-spin"></i>'), document.createTextNode(` ${td('send.sending')}`));
    void postJSON('vitally/test-send', body).then((answer) => {
      if (closed || seq !== sendSeq) return;
      button.prop('disabled', false);
      showSendResult(answer);
    });
  }

  /** Asks before a send that reaches a real workspace (or deletes); `go` sends. */
  function confirmSend(text: string, sendLabel: string, go: () => void): void {
    const dialog = RED.notify(escapeHtml(text), {
      modal: true,
      fixed: true,
      type: 'warning',
      buttons: [
        { text: td('send.cancel'), class: 'vitally-dest-confirm-cancel', click: () => dialog.close() },
        {
          text: sendLabel,
          class: 'primary vitally-dest-confirm-send',
          click: () => {
            dialog.close();
            go();
          },
        },
      ],
    });
  }

  function sendTest(): void {
    clearResponse();
    const fail = (text: string) => result.addClass('vitally-dest-error').text(text);
    const parsed = parseSample();
    if (parsed.empty) return void fail(td('preview.enterSample'));
    if (parsed.error) return void fail(td('preview.badSample', { error: parsed.error }));
    const settings = host.settings();
    const config = selectedConfig(settings);
    if (!config) return void fail(td('preview.noConfig'));
    const irreversible = isIrreversible(settings.endpoint, settings.method);
    if (irreversible && settings.confirmDelete !== true) return void fail(td('send.confirmFirst'));
    // Send test sends one record: the sample, or the first of an array of them.
    const record = Array.isArray(parsed.sample) ? parsed.sample[0] : parsed.sample;
    if (record === undefined) return void fail(td('preview.enterSample'));
    const body = { node: settings, records: [record] };

    // What will be called: the previewed call, else what the template says.
    const t = templateOf(settings.endpoint);
    const hosts = hostsOf(config);
    const first = lastPreviewOfOne ? lastPreview[lastPreview.length - 1] : lastPreview[0];
    const method = first?.method ?? (t ? t.method : String(settings.method || 'POST'));
    const base = pathOf((t?.api === 'analytics' ? hosts.analytics : hosts.rest) ?? '');
    const path = first?.url ? pathOf(first.url) : t ? base + t.path : String(settings.url || '');
    const where = hosts.host ?? td('send.hostFromEnv', { names: hosts.envNames.join(', ') || '?' });
    const go = () => send(body);
    if (irreversible) {
      confirmSend(td('send.reallyDelete', { host: where, method, path }), td('send.delete'), go);
    } else if (!hosts.loopback || config.changed) {
      // A send uses the deployed config: with undeployed edits, its host may not be this one.
      confirmSend(td('send.reallySend', { host: where, method, path }), td('send.send'), go);
    } else {
      go();
    }
  }

  function useLastReceived(): void {
    status.removeClass('vitally-dest-error').text('');
    void getJSON(`vitally/last-record/${encodeURIComponent(node.id)}`).then((answer) => {
      const res = answer.body as { record?: unknown } | undefined;
      if (answer.status === 200 && res && res.record !== undefined) {
        setSample(sampleText(res.record), false);
        status.text(td('sample.loaded'));
        invalidate();
        schedulePreview();
      } else {
        const error = answer.status === 404 ? undefined : answerError(answer, td('preview.unreachable'));
        status.addClass('vitally-dest-error').text(error ?? td('sample.none'));
      }
    });
  }

  box.on('input', () => {
    status.removeClass('vitally-dest-error').text('');
    fitBox();
  });
  $('#vitally-dest-last').on('click', (evt) => {
    evt.preventDefault();
    useLastReceived();
  });
  $('#vitally-dest-send').on('click', (evt) => {
    evt.preventDefault();
    sendTest();
  });
  schedulePreview();

  return {
    templateChanged(endpoint) {
      // Replace only a sample the user has not touched since a template put it there.
      if (fromTemplate !== undefined && box.val() === fromTemplate) {
        const next = templateSample(endpoint);
        if (next !== undefined && next !== fromTemplate) setSample(next, true);
      }
      invalidate();
      schedulePreview();
    },
    settingsChanged() {
      if (currentKey() === stateKey) return;
      invalidate();
      schedulePreview();
    },
    close() {
      closed = true;
      if (timer) clearTimeout(timer);
      savedSamples.set(node.id, { text: String(box.val() ?? ''), fromTemplate });
    },
  };
}
