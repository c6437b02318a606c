/**
 * The `validate` functions of both nodes' settings, built from the one settings description
 * the runtime reads (src/core/settings.ts), so the dialog refuses exactly what a deploy would.
 *
 * While a dialog is open a validator reads the node's other settings from the form (a batch
 * size only matters when "Batch records" is ticked there); otherwise from the node.
 */
import {
  CONFIG_SETTINGS,
  DESTINATION_SETTINGS,
  ENV_REFERENCE,
  SettingSpec,
  Settings,
  settingProblem,
} from '../core/settings';
import { CONFIG_TYPE, DESTINATION_TYPE } from './i18n';

const PREFIX: Record<string, string> = {
  [CONFIG_TYPE]: 'node-config-input',
  [DESTINATION_TYPE]: 'node-input',
};

const SPECS: Record<string, Record<string, SettingSpec>> = {
  [CONFIG_TYPE]: CONFIG_SETTINGS,
  [DESTINATION_TYPE]: DESTINATION_SETTINGS,
};

/** The id of the node whose dialog is open, per node type (a config dialog opens over a destination's). */
const editing: Record<string, string | undefined> = {};

export function beginEditing(node: EditorNode): void {
  editing[node.type] = node.id;
}

export function endEditing(node: EditorNode): void {
  if (editing[node.type] === node.id) editing[node.type] = undefined;
}

export const isEditing = (node: EditorNode) => editing[node.type] === node.id;

/** The form field of a property of the open dialog of `type` (empty when absent). */
export const input = (type: string, name: string) => $(`#${PREFIX[type]}-${name}`);

/** The value a form field holds, as Node-RED would save it (checkboxes as booleans). */
export function fieldValue(field: JQuery): unknown {
  if (field.is(':checkbox')) return field.prop('checked') === true;
  const v = field.val();
  return v === null || v === undefined ? '' : v;
}

/** One setting of a node: from the form while its dialog is open, else the node's own. */
export function setting(node: EditorNode, name: string): unknown {
  if (isEditing(node)) {
    const field = input(node.type, name);
    if (field.length) return fieldValue(field);
  }
  return node[name];
}

/** Every setting in the node's defaults, read as `setting` reads them. */
export function settingsOf(node: EditorNode): Settings {
  const out: Settings = {};
  for (const name of Object.keys(node._def?.defaults ?? {})) out[name] = setting(node, name);
  return out;
}

/**
 * What the editor says of a value. `${NAME}` is substituted by Node-RED from the environment
 * when the flow starts (for every node's properties), so a text, number or choice written that
 * way is taken as given; the runtime then checks the substituted value.
 */
export function editorProblem(spec: SettingSpec, value: unknown, settings: Settings): string | undefined {
  if (spec.kind !== 'flag' && typeof value === 'string' && ENV_REFERENCE.test(value)) return undefined;
  return settingProblem(spec, value, settings);
}

/** The described setting `name` of `node`'s type, if there is one. */
export function specOf(type: string, name: string): SettingSpec | undefined {
  const specs = SPECS[type];
  return specs && Object.prototype.hasOwnProperty.call(specs, name) ? specs[name] : undefined;
}

/**
 * A `defaults[name].validate` for a described setting: true, or the runtime's own message.
 * `node` is the validator's `this`: the node being validated.
 */
export function check(name: string, value: unknown, node: EditorNode): true | string {
  const spec = specOf(node.type, name);
  if (!spec) return true;
  return editorProblem(spec, value, settingsOf(node)) ?? true;
}

/** Whether `value` names an environment variable (`${NAME}`). */
export const isEnvReference = (value: unknown): value is string =>
  typeof value === 'string' && ENV_REFERENCE.test(value);
