/**
 * The vitally-destination dialog, put together: template picker, path parameters, body and
 * exclusions, read and relationship options, batching, delivery, and the sample panel.
 */
import { showBatching } from './batching';
import { MANUAL, Template, catalogue, isIrreversible, loadCatalogue, templateOf } from './catalogue';
import { fitEnvReferences } from './env-fields';
import { Exclusions, prepareExclusions } from './exclusions';
import { CONFIG_TYPE, td } from './i18n';
import { generateParamRows, prepareParams, showParams, typedCheck } from './params';
import { SamplePanel, prepareSamplePanel } from './sample-panel';
import { fillTemplates, showTemplateInfo } from './template-picker';
import { beginEditing, endEditing, fieldValue, setting } from './validators';

/** What the open dialog needs when it closes. */
interface Session {
  exclusions: Exclusions;
  panel: SamplePanel;
  form: JQuery;
}

let session: Session | undefined;

export function destinationLabel(node: EditorNode): string {
  if (node.name) return String(node.name);
  if (node.endpoint === MANUAL) return `vitally ${String(node.method || 'POST')} ${String(node.url || '')}`.trim();
  return templateOf(node.endpoint)?.label || String(node.endpoint || 'vitally');
}

/** Registered in the palette: the parameter rows go into the dialog template; the catalogue loads. */
export function destinationAdded(): void {
  generateParamRows();
  loadCatalogue();
}

/** `defaults.endpoint.validate`. */
export function checkEndpoint(value: unknown): true | string {
  if (value === undefined || value === null || String(value).trim() === '') return td('validation.endpointRequired');
  if (catalogue() && value !== MANUAL && !templateOf(value))
    return td('validation.endpointUnknown', { endpoint: value });
  return true;
}

/** `defaults.body.validate`: Node-RED's check for the typedInput's type. */
export function checkBody(value: unknown, node: EditorNode, opt?: Record<string, unknown>): true | string {
  return value === undefined ? true : typedCheck(value, String(setting(node, 'bodyType') || 'msg'), opt);
}

/** `validate` of manual mode's URL and headers (only checked in manual mode). */
export function checkManual(name: string, value: unknown, node: EditorNode): true | string {
  if (setting(node, 'endpoint') !== MANUAL) return true;
  const v = value === undefined || value === null ? '' : String(value);
  if (name === 'url') return /^\s*(\/|https?:\/\/|\{\{)/i.test(v) ? true : td('validation.urlRequired');
  if (name === 'headers') {
    const ok = v.split(',').every((part) => !part.trim() || /^\s*[^:\s]+\s*:/.test(part));
    return ok ? true : td('validation.headers');
  }
  return true;
}

/** Flows written by hand or by older versions may lack properties: show their defaults. */
function fillDefaults(node: EditorNode): void {
  for (const [name, def] of Object.entries(node._def.defaults)) {
    const field = $(`#node-input-${name}`);
    if (node[name] !== undefined || def.value === undefined || !field.length) continue;
    if (field.is(':checkbox')) field.prop('checked', !!def.value);
    else field.val(def.value as string);
  }
}

/**
 * A new node (no config chosen yet) gets the config node when there is exactly one; with
 * several, none is guessed and the dialog asks for one.
 */
function preselectConfig(node: EditorNode): void {
  if (node.vitally) return;
  const configs: string[] = [];
  RED.nodes.eachConfig((n) => {
    if (n.type === CONFIG_TYPE) configs.push(n.id);
  });
  const select = $('#node-input-vitally');
  select.val(configs.length === 1 ? configs[0] : '_ADD_');
}

/** The options that depend on what the template does: reads, relationship ids, deletes. */
function showTemplateOptions(t: Template | undefined, endpoint: string): void {
  const manual = endpoint === MANUAL;
  $('.vitally-dest-manual').toggle(manual);
  $('.vitally-dest-row-relationshipIds').toggle(!!t && t.relationships.length > 0);
  $('.vitally-dest-row-maxRecords').toggle(!!t && t.many);
  $('.vitally-dest-row-split').toggle(!!t && t.paged);
  const irreversible = isIrreversible(endpoint, $('#node-input-method').val());
  $('.vitally-dest-irreversible').toggle(irreversible);
  $('#vitally-dest-send').toggleClass('vitally-dest-danger', irreversible);
}

/** The settings exactly as the node would save them (text inputs as strings). */
function formSettings(node: EditorNode, exclusions: Exclusions): Record<string, unknown> {
  const settings: Record<string, unknown> = { id: node.id, type: node.type, z: node.z };
  for (const name of Object.keys(node._def.defaults)) {
    const field = $(`#node-input-${name}`);
    settings[name] = field.length ? fieldValue(field) : node[name];
  }
  settings.exclude = exclusions.value();
  if (settings.vitally === '_ADD_') settings.vitally = '';
  return settings;
}

export function prepareDestination(node: EditorNode): void {
  beginEditing(node);
  fillDefaults(node);
  preselectConfig(node);

  prepareParams(node);
  $('#node-input-body').typedInput({
    default: 'msg',
    types: ['msg', 'json', 'jsonata'],
    typeField: '#node-input-bodyType',
  });

  const select = $('#node-input-endpoint');
  const form = select.closest('form');
  const exclusions = prepareExclusions(node.exclude, () => panel.settingsChanged());
  const panel = prepareSamplePanel({
    node,
    settings: () => formSettings(node, exclusions),
    sampleParsed: (sample) => exclusions.suggestFrom(sample),
  });

  const showTemplate = (picked = false) => {
    const endpoint = String(select.val() ?? '');
    const t = templateOf(endpoint);
    showTemplateInfo(t);
    showParams(t, picked);
    showTemplateOptions(t, endpoint);
    showBatching(endpoint);
  };
  select.on('change', () => {
    showTemplate(true);
    panel.templateChanged(String(select.val() ?? ''));
  });
  $('#node-input-method').on('change', () => showTemplateOptions(templateOf(select.val()), String(select.val() ?? '')));
  $('#node-input-batch, #node-input-grouping').on('change', () => showBatching(select.val()));

  const current = String(node.endpoint || 'createAccount');
  fillTemplates(select, catalogue(), current);
  showTemplate();
  if (!catalogue()) {
    loadCatalogue((list) => {
      if (session?.panel !== panel) return;
      fillTemplates(select, list, String(select.val() ?? current));
      // Not the user's pick: show the template, and let its sample follow, but fill in nothing.
      showTemplate();
      panel.templateChanged(String(select.val() ?? ''));
    });
  }

  fitEnvReferences($('.vitally-dest-inline'));

  // Retry settings fold away unless they differ from the defaults.
  const advanced = $('#vitally-dest-advanced');
  $('#vitally-dest-advanced-toggle').on('click', function (evt) {
    evt.preventDefault();
    advanced.toggle(!advanced.is(':visible'));
    $(this)
      .find('i')
      .toggleClass('fa-caret-right', !advanced.is(':visible'))
      .toggleClass('fa-caret-down', advanced.is(':visible'));
  });
  const defaults = node._def.defaults;
  if (
    String($('#node-input-retries').val()) !== String(defaults.retries.value) ||
    String($('#node-input-retryMaxDelay').val()) !== String(defaults.retryMaxDelay.value)
  ) {
    $('#vitally-dest-advanced-toggle').trigger('click');
  }

  // Every change of a setting (typedInputs, selects, boxes, list items, the sample) is seen here.
  form.on('change.vitally input.vitally', (evt) => {
    if (evt.target && $(evt.target as Element).closest('#vitally-dest-send-result').length) return;
    panel.settingsChanged();
  });
  session = { exclusions, panel, form };
}

function close(node: EditorNode): void {
  if (session) {
    session.panel.close();
    session.form.off('.vitally');
  }
  session = undefined;
  endEditing(node);
}

export function saveDestination(node: EditorNode): void {
  if (session) $('#node-input-exclude').val(session.exclusions.value());
  close(node);
}

export function cancelDestination(node: EditorNode): void {
  close(node);
}
