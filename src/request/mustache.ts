import Mustache from 'mustache';
import { RecordError } from '../core/errors';

export function isTemplate(text: string): boolean {
  return text.includes('{{');
}

/** A value that can stand for an id: a non-blank string or a finite number. */
function idText(value: unknown, what: string, tag: string): string {
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value === 'string' && value.trim() !== '') return value;
  const got =
    value === undefined
      ? 'missing'
      : value === null
        ? 'null'
        : Array.isArray(value)
          ? 'an array'
          : typeof value === 'string'
            ? 'blank'
            : typeof value === 'number'
              ? String(value)
              : typeof value;
  throw new RecordError(`${what ? `${what}: ` : ''}{{${tag}}} is ${got}, not an id`);
}

type Tokens = ReturnType<typeof Mustache.parse>;

function hasTripleTag(tokens: Tokens): boolean {
  return tokens.some(([type, , , , inner]) => type === '&' || (Array.isArray(inner) && hasTripleTag(inner as Tokens)));
}

/**
 * Renders a template whose every value must be an id: mustache without HTML escaping, where
 * each `{{x}}` goes through `encode` and each `{{{x}}}` is inserted as written. A value that
 * is an object, array, boolean, null, NaN, Infinity, missing or blank is the record's error,
 * never "[object Object]" or an empty path segment. Templates with sections fall back to
 * plain mustache.
 */
export function renderIds(
  template: string,
  view: unknown,
  what: string,
  encode: (s: string) => string = String,
): string {
  const tokens = Mustache.parse(template);
  if (tokens.some(([type]) => type !== 'text' && type !== 'name' && type !== '&')) {
    // Sections: every `{{x}}` value is still checked; `{{{x}}}` inside a section is not allowed.
    if (hasTripleTag(tokens)) {
      throw new RecordError(`${what ? `${what}: ` : ''}{{{x}}} inside a section cannot be checked; use {{x}}`);
    }
    return Mustache.render(template, view, undefined, { escape: (v) => encode(idText(v, what, 'value in a section')) });
  }
  const context = new Mustache.Context(view);
  let out = '';
  for (const [type, text] of tokens) {
    if (type === 'text') out += text;
    else {
      const value = idText(context.lookup(text), what, type === '&' ? `{${text}}` : text);
      out += type === 'name' ? encode(value) : value;
    }
  }
  return out;
}

/** The template with every value replaced by a harmless placeholder: where it points before data fills it. */
export function renderShape(template: string): string {
  return Mustache.parse(template)
    .map(([type, text]) => (type === 'text' ? text : type === 'name' || type === '&' ? 'x' : ''))
    .join('');
}
