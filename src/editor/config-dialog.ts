/**
 * The vitally-config dialog: region and host (with the addresses they resolve to), keys,
 * delivery limits, the rate budget's home, and "Test connection".
 */
import { answerError, postJSON } from './ajax';
import { fitEnvReferences } from './env-fields';
import { describeHosts } from './hosts';
import { escapeHtml, tc } from './i18n';
import { beginEditing, endEditing, isEnvReference } from './validators';

const field = (name: string) => $(`#node-config-input-${name}`);
const text = (name: string) => String(field(name).val() ?? '').trim();

/** A label for the config node: its name, else where it points. */
export function configLabel(node: EditorNode): string {
  if (node.name) return String(node.name);
  if (node.region === 'eu') return 'Vitally EU';
  if (node.region === 'custom' && node.baseUrl) return String(node.baseUrl).replace(/^https?:\/\//i, '');
  if (node.subdomain) return `${String(node.subdomain)}.vitally.io`;
  return 'Vitally';
}

/** Flows written by hand or by older versions may lack properties: show their defaults. */
function fillDefaults(node: EditorNode): void {
  for (const [name, def] of Object.entries(node._def.defaults)) {
    if (node[name] === undefined && def.value !== undefined) field(name).val(def.value as string);
  }
}

/**
 * A pasted login address or host ("https://acme.vitally.io") becomes its subdomain; letters
 * are lowercased. A `${NAME}` is kept exactly as typed: Node-RED reads it from the environment.
 */
export function normalizeSubdomain(raw: string): string {
  const v = raw.trim();
  if (isEnvReference(v)) return v;
  const m = /^(?:https?:\/\/)?([a-z0-9-]+)\.(?:rest\.|api\.)?vitally\.io(?:[/?#].*)?$/i.exec(v);
  const sub = m && !/^(rest|api)$/i.test(m[1]) ? m[1] : v;
  return sub.toLowerCase();
}

function showHosts(): void {
  const view = describeHosts({ region: field('region').val(), subdomain: text('subdomain'), baseUrl: text('baseUrl') });
  $('#vitally-config-rest-host').text(view.rest);
  $('#vitally-config-analytics-host')
    .text(view.analytics ?? tc('hint.noEuAnalytics'))
    .toggleClass('vitally-config-muted', !view.analytics);
  $('#vitally-config-env-note')
    .text(view.envNames.length ? tc('hint.fromEnv', { names: view.envNames.join(', ') }) : '')
    .toggle(view.envNames.length > 0);
}

function showRegion(): void {
  const region = String(field('region').val() || 'us');
  // A region from the environment may turn out to be either: both rows stay.
  const fromEnv = isEnvReference(region);
  $('.vitally-config-row-subdomain').toggle(region === 'us' || fromEnv);
  $('.vitally-config-row-baseUrl').toggle(region === 'custom' || fromEnv);
  showHosts();
}

function showBudget(): void {
  $('.vitally-config-row-redis').toggle(field('budget').val() === 'redis');
}

function clearTestResult(): void {
  $('#vitally-config-test-result').empty().removeClass('vitally-config-ok vitally-config-fail');
}

function testConnection(node: EditorNode): void {
  const button = $('#vitally-config-test');
  const result = $('#vitally-config-test-result');
  const body = {
    id: node.id,
    region: field('region').val(),
    subdomain: text('subdomain'),
    baseUrl: text('baseUrl'),
    apiKey: field('apiKey').val(),
    budget: field('budget').val(),
    redisUrl: field('redisUrl').val(),
  };
  clearTestResult();
  const show = (ok: boolean, message: string, statusCode?: number) => {
    let line = message || (ok ? tc('test.ok') : tc('test.failed'));
    if (statusCode && !line.includes(`HTTP ${statusCode}`)) line += ` (HTTP ${statusCode})`;
    result
      .empty()
      .toggleClass('vitally-config-ok', ok)
      .toggleClass('vitally-config-fail', !ok)
      .append($('<i class="fa"></i>').addClass(ok ? 'fa-check' : 'fa-times'), document.createTextNode(` ${line}`));
    RED.notify(escapeHtml(line), { type: ok ? 'success' : 'error', timeout: 4000 });
  };
  // Settings written `${NAME}` go as typed: Node-RED reads them from its environment.
  button.prop('disabled', true);
  result.append($('<i class="fa fa-spinner fa-spin"></i>'), document.createTextNode(` ${tc('test.running')}`));
  void postJSON('vitally/test-connection', body).then((answer) => {
    button.prop('disabled', false);
    const res = (answer.body ?? {}) as { ok?: unknown; message?: unknown; statusCode?: unknown };
    const statusCode = typeof res.statusCode === 'number' ? res.statusCode : undefined;
    if (answer.status === 200 && typeof res.message === 'string') {
      show(res.ok === true, res.message, statusCode);
    } else {
      show(false, answerError(answer, tc('test.unreachable')) ?? tc('test.failed'), statusCode);
    }
  });
}

export function prepareConfig(node: EditorNode): void {
  beginEditing(node);
  fillDefaults(node);

  // A region from the environment has no option of its own: add one so saving keeps it.
  const region = field('region');
  if (isEnvReference(node.region)) {
    $('<option>')
      .val(node.region)
      .text(tc('region.fromEnv', { name: node.region }))
      .appendTo(region);
    region.val(node.region);
  } else if (!node.region) {
    region.val('us');
  }
  region.on('change', showRegion);
  field('budget').on('change', showBudget);

  // A test result describes the settings it was made with: drop it when they change.
  $(
    '#node-config-input-region, #node-config-input-subdomain, #node-config-input-baseUrl, #node-config-input-apiKey',
  ).on('input change', clearTestResult);
  field('subdomain')
    .on('input', showHosts)
    .on('change', function () {
      const v = normalizeSubdomain(String($(this).val() ?? ''));
      if (v !== $(this).val()) $(this).val(v);
      showHosts();
    });
  field('baseUrl')
    .on('input', showHosts)
    .on('change', function () {
      const raw = String($(this).val() ?? '');
      const v = isEnvReference(raw.trim()) ? raw.trim() : raw.trim().replace(/\/+$/, '');
      if (v !== raw) $(this).val(v);
      showHosts();
    });
  showRegion();
  showBudget();
  fitEnvReferences($('.vitally-config-inline'));

  $('#vitally-config-test').on('click', (evt) => {
    evt.preventDefault();
    testConnection(node);
  });
}

export function closeConfig(node: EditorNode): void {
  endEditing(node);
}
