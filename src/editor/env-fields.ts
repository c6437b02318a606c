/**
 * Short number fields (rate limit, timeout, batch size) widen while they hold a `${NAME}`,
 * so an environment variable's whole name stays readable.
 */
import { isEnvReference } from './validators';

export function fitEnvReferences(fields: JQuery): void {
  const fit = (el: HTMLElement) => {
    const field = $(el);
    field.toggleClass('vitally-env-wide', isEnvReference(String(field.val() ?? '').trim()));
  };
  fields.each(function () {
    fit(this);
  });
  fields.on('input change', function () {
    fit(this);
  });
}
