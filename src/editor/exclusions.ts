/**
 * Excluded attributes: an editable list saved as the comma-separated `exclude` property
 * ("a,traits.secret"), with the sample record's attribute paths offered as suggestions.
 */
import { td } from './i18n';

export interface Exclusions {
  /** The list as `exclude` stores it. */
  value(): string;
  /** Offers the attribute paths of this sample (an object, or the first of an array). */
  suggestFrom(sample: unknown): void;
}

/** Attribute paths of a record: "name", "traits", "traits.plan", ... (three levels, at most 300). */
export function attributePaths(sample: unknown): string[] {
  const out: string[] = [];
  const walk = (obj: Record<string, unknown>, prefix: string, depth: number) => {
    for (const key of Object.keys(obj)) {
      const path = prefix ? `${prefix}.${key}` : key;
      out.push(path);
      const v = obj[key];
      if (depth < 3 && v && typeof v === 'object' && !Array.isArray(v))
        walk(v as Record<string, unknown>, path, depth + 1);
    }
  };
  const record = Array.isArray(sample) ? sample[0] : sample;
  if (record && typeof record === 'object' && !Array.isArray(record)) walk(record as Record<string, unknown>, '', 0);
  return out.slice(0, 300);
}

export function prepareExclusions(saved: unknown, onChange: () => void): Exclusions {
  let suggestions: string[] = [];
  const list = $('#vitally-dest-exclude-list')
    .css('min-height', '60px')
    .editableList({
      addButton: td('label.addExclude'),
      height: 'auto',
      removable: true,
      sortable: false,
      addItem(container, _index, data) {
        const field = $('<input type="text" class="vitally-dest-exclude-item" style="width: 100%;">')
          .attr('placeholder', td('placeholder.exclude'))
          .val(typeof data === 'string' ? data : '')
          .appendTo(container);
        if ($.fn.autoComplete) {
          field.autoComplete({
            minLength: 0,
            search: (typed) => {
              const v = typed.trim().toLowerCase();
              return suggestions.filter((s) => s.toLowerCase().includes(v)).slice(0, 20);
            },
          });
        }
        if (typeof data !== 'string') field.trigger('focus');
      },
      removeItem: onChange,
    });
  for (const name of String(saved ?? '').split(',')) {
    if (name.trim()) list.editableList('addItem', name.trim());
  }
  return {
    value() {
      const names: string[] = [];
      list.editableList('items').each(function () {
        const v = String($(this).find('.vitally-dest-exclude-item').val() ?? '').trim();
        if (v && !names.includes(v)) names.push(v);
      });
      return names.join(',');
    },
    suggestFrom(sample) {
      suggestions = attributePaths(sample);
    },
  };
}
