/**
 * Path parameters: one typedInput row per parameter, stored as `<param>` and `<param>Type`.
 * Node-RED saves only properties named in `defaults`, so the parameters are the `...Id`
 * defaults that have a `<param>Type` partner; their rows are generated into the dialog template from that
 * list, and the chosen template's `params` (from the catalogue) says which rows show.
 */
import { Template, templateOf } from './catalogue';
import { DESTINATION_TYPE, td } from './i18n';
import { setting } from './validators';

export const ID_TYPES = ['str', 'msg', 'flow', 'global', 'env', 'jsonata'];
const MARKER = '<!-- vitally:param-rows -->';

/** The path parameters a definition declares: every `<name>Id` with a `<name>IdType` beside it. */
export function paramNames(defaults: Record<string, unknown>): string[] {
  return Object.keys(defaults).filter(
    (k) => /Id$/.test(k) && Object.prototype.hasOwnProperty.call(defaults, `${k}Type`),
  );
}

function rowHtml(name: string): string {
  return (
    `<div class="form-row vitally-dest-param" data-param="${name}">` +
    `<label for="node-input-${name}"><i class="fa fa-key"></i> ${name}</label>` +
    `<input type="text" id="node-input-${name}" style="width: 70%;">` +
    `<input type="hidden" id="node-input-${name}Type">` +
    `</div>`
  );
}

/** Writes the parameter rows into the dialog template (once; Node-RED reads it at each open). */
export function generateParamRows(): void {
  const script = $(`script[data-template-name="${DESTINATION_TYPE}"]`);
  const def = RED.nodes.getType(DESTINATION_TYPE);
  if (!script.length || !def) return;
  const html = script.html();
  if (html.indexOf(MARKER) === -1) return;
  script.html(html.replace(MARKER, paramNames(def.defaults).map(rowHtml).join('')));
}

/** Turns the generated rows of the open dialog into typedInputs. */
export function prepareParams(node: EditorNode): void {
  for (const name of paramNames(node._def.defaults)) {
    const field = $(`#node-input-${name}`);
    if (!field.length) {
      console.error(`vitally-destination: the dialog has no row for the path parameter ${name}`);
      continue;
    }
    field.typedInput({ default: 'str', types: ID_TYPES, typeField: `#node-input-${name}Type` });
  }
}

/**
 * A hint for a parameter's text box: the catalogue's example for the template, else the
 * record's own `id` for the object the request addresses, or a field of the record for a parent.
 */
function placeholderFor(t: Template, name: string): string {
  if (t.sampleParams[name]) return t.sampleParams[name];
  const own = !/^POST/.test(t.method) && new RegExp(`\\{${name}\\}$`).test(t.path);
  return own ? '{{payload.id}}' : `{{payload.${name}}}`;
}

/**
 * Shows the rows the template uses (none for manual mode), in the template's path order.
 * When the user has just picked the template (`picked`), an empty required id is filled with
 * the catalogue's example (a mustache template that renders against the template's sample).
 */
export function showParams(t: Template | undefined, picked = false): void {
  const rows = $('.vitally-dest-param');
  rows.hide();
  const params = t ? t.params : [];
  let after: JQuery | undefined;
  for (const name of params) {
    const row = $(`.vitally-dest-param[data-param="${name}"]`);
    if (!row.length) continue;
    if (after) row.insertAfter(after);
    row.show();
    row.find('input.red-ui-typedInput-input').attr('placeholder', placeholderFor(t!, name));
    const optional = t!.optionalParams.includes(name);
    row.toggleClass('vitally-dest-optional', optional);
    const example = t!.sampleParams[name];
    const field = $(`#node-input-${name}`);
    if (picked && !optional && example && example.includes('{{') && field.typedInput('type') === 'str') {
      if (!String(field.typedInput('value') ?? '').trim()) field.typedInput('value', example);
    }
    after = row;
  }
  $('.vitally-dest-params-tip').toggle(params.length > 0);
}

const isBlank = (v: unknown) => v === undefined || v === null || String(v).trim() === '';

/** `defaults[param].validate`: required by the chosen template, and a valid value for its type. */
export function checkParam(
  name: string,
  value: unknown,
  node: EditorNode,
  opt?: Record<string, unknown>,
): true | string {
  const t = templateOf(setting(node, 'endpoint'));
  if (!t || !t.params.includes(name)) return true;
  if (isBlank(value)) {
    return t.optionalParams.includes(name) ? true : td('validation.idRequired', { param: name, template: t.label });
  }
  const type = String(setting(node, `${name}Type`) || 'str');
  return type === 'str' ? true : typedCheck(value, type, opt);
}

/** Node-RED's own check of a typedInput value (a msg path, a JSONata expression...). */
export function typedCheck(value: unknown, type: string, opt?: Record<string, unknown>): true | string {
  const validate = RED.utils.validateTypedProperty;
  if (!validate) return true;
  const result = validate(value, type, opt);
  if (result === true) return true;
  return typeof result === 'string' ? result : td('validation.invalidValue');
}
