/**
 * The template picker: the catalogue's templates grouped as the catalogue groups them, manual
 * mode last, and what the chosen template calls and needs.
 */
import { MANUAL, Template } from './catalogue';
import { td } from './i18n';

/** Fills the select; a saved choice the catalogue lacks (or an unloaded catalogue) is kept, not lost. */
export function fillTemplates(select: JQuery, list: Template[] | null, current: string): void {
  select.empty();
  const groups = new Map<string, JQuery>();
  for (const t of list ?? []) {
    let group = groups.get(t.group);
    if (!group) {
      group = $('<optgroup>').attr('label', t.group).appendTo(select);
      groups.set(t.group, group);
    }
    $('<option>').val(t.id).text(t.label).appendTo(group);
  }
  const manual = $('<optgroup>').attr('label', td('label.manualGroup')).appendTo(select);
  $('<option>').val(MANUAL).text(td('label.manualOption')).appendTo(manual);
  select.val(current);
  if (select.val() !== current) {
    $('<option>').val(current).text(current).prependTo(select);
    select.val(current);
  }
}

/** The box under the picker: API, method and path, what it does, the fields it requires. */
export function showTemplateInfo(t: Template | undefined): void {
  const info = $('#vitally-dest-template-info');
  if (!t) {
    info.hide();
    return;
  }
  $('#vitally-dest-api')
    .text(t.api === 'analytics' ? td('label.analyticsApi') : td('label.restApi'))
    .toggleClass('vitally-dest-api-analytics', t.api === 'analytics');
  $('#vitally-dest-method').text(t.method).attr('data-method', t.method);
  $('#vitally-dest-path').text(t.path);
  $('#vitally-dest-description').text(t.description);
  $('#vitally-dest-required').text(t.required.length ? t.required.join('; ') : td('label.requiredNone'));
  $('.vitally-dest-analytics-note').toggle(t.api === 'analytics');
  info.show();
}
