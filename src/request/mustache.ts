import Mustache from 'mustache';

/** Renders a template against a view with no HTML escaping (values go into URLs and ids, not HTML). */
export function render(template: string, view: unknown): string {
  return Mustache.render(template, view, undefined, { escape: String });
}

/** Renders a URL template: `{{x}}` inserts x URL-encoded, `{{{x}}}` inserts it as written. */
export function renderUrl(template: string, view: unknown): string {
  return Mustache.render(template, view, undefined, { escape: encodeURIComponent });
}

export function isTemplate(text: string): boolean {
  return text.includes('{{');
}
