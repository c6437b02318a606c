/** Texts from the node sets' locale catalogues (nodes/locales/en-US/<type>.json). */

export const CONFIG_TYPE = 'vitally-config';
export const DESTINATION_TYPE = 'vitally-destination';

type NodeType = typeof CONFIG_TYPE | typeof DESTINATION_TYPE;

function translate(type: NodeType, key: string, substitutions?: Record<string, unknown>): string {
  const def = RED.nodes.getType(type);
  return def && def._ ? def._(`${type}.${key}`, substitutions) : key;
}

/** A text of the config node's catalogue. */
export const tc = (key: string, substitutions?: Record<string, unknown>) => translate(CONFIG_TYPE, key, substitutions);

/** A text of the destination node's catalogue. */
export const td = (key: string, substitutions?: Record<string, unknown>) =>
  translate(DESTINATION_TYPE, key, substitutions);

/** `text` made safe to hand to RED.notify, which takes HTML. */
export const escapeHtml = (text: string) => $('<span>').text(text).html();
