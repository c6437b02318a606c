/**
 * Record batching: the options show only where batching applies (Analytics templates and
 * manual mode) and is ticked; the sample panel previews a real batch, not a single record.
 */
import { isFlagSet } from '../core/settings';
import { batchApplies } from './catalogue';

/** How many copies of a single sample record the panel sends when batching, to show a batch. */
export const BATCH_SAMPLE_COPIES = 3;

/** Whether the node, as the form now stands, batches its records. */
export function batching(settings: Record<string, unknown>): boolean {
  return isFlagSet(settings.batch) && batchApplies(settings.endpoint);
}

/** Updates the batching section for the chosen template and the boxes ticked. */
export function showBatching(endpoint: unknown): void {
  const applies = batchApplies(endpoint);
  const box = $('#node-input-batch').prop('disabled', !applies);
  $('.vitally-dest-batch-rest').toggle(!applies);
  $('.vitally-dest-batch-label').toggleClass('vitally-dest-disabled', !applies);
  const on = applies && box.prop('checked') === true;
  $('.vitally-dest-batch-options').toggle(on);
  $('.vitally-dest-groupField-row').toggle(on && $('#node-input-grouping').val() === 'field');
}

/**
 * The records the sample panel previews and sends: an array sample as it is; a single record
 * as it is, or, when batching, a few copies of it so the preview shows one batch of several.
 */
export function sampleRecords(sample: unknown, batched: boolean): { records: unknown[]; copies: number } {
  if (Array.isArray(sample)) return { records: sample, copies: 0 };
  if (!batched) return { records: [sample], copies: 0 };
  return { records: Array.from({ length: BATCH_SAMPLE_COPIES }, () => sample), copies: BATCH_SAMPLE_COPIES };
}
