/**
 * A read's calls: one for a get or a find, page after page for a list (up to the objects
 * wanted), each page handed on as it arrives so a long list never has to sit in memory.
 */
import { Template } from '../catalogue';
import { PlannedRead, nextPage, readAnswer } from '../request/read';
import { RecordResult } from './message-tracker';
import { failureReason } from './outcomes';
import { Call } from './resolver';

export interface ReadResult {
  result: Omit<RecordResult, 'index'>;
  /** What was read: the object (or null), or the objects (when pages were not handed on). */
  value: unknown;
}

/**
 * Runs a read. `onPage`, when given, receives each page's objects (and whether it is the last)
 * instead of them being collected into `value`.
 */
export async function runRead(
  template: Template | undefined,
  planned: PlannedRead,
  call: Call,
  onPage?: (items: unknown[], last: boolean) => void,
): Promise<ReadResult> {
  let request = planned.request;
  const collected: unknown[] = [];
  let count = 0;
  for (;;) {
    const outcome = await call(request, 'read');
    if (!outcome) return { result: { error: 'not sent' }, value: undefined };
    if (!template) {
      // Manual GET: the answer as it came, like the core http request node.
      return outcome.ok
        ? { result: { statusCode: outcome.status }, value: outcome.body }
        : { result: { statusCode: outcome.status, error: failureReason(outcome) }, value: undefined };
    }
    const answer = outcome.status === undefined ? undefined : readAnswer(template, outcome.status, outcome.body);
    if (!answer) {
      const error = outcome.ok
        ? `HTTP ${outcome.status}: the answer is neither an object nor a list`
        : failureReason(outcome);
      return { result: { statusCode: outcome.status, error }, value: undefined };
    }
    if ('item' in answer) {
      return { result: { statusCode: outcome.status, count: answer.item ? 1 : 0 }, value: answer.item };
    }
    let items = answer.items!;
    if (planned.limit > 0 && count + items.length > planned.limit) items = items.slice(0, planned.limit - count);
    count += items.length;
    const more = answer.next !== undefined && (planned.limit === 0 || count < planned.limit);
    if (onPage) onPage(items, !more);
    else for (const item of items) collected.push(item);
    if (!more) return { result: { statusCode: outcome.status, count }, value: onPage ? undefined : collected };
    request = nextPage(request, answer.next!, planned.limit > 0 ? planned.limit - count : 0);
  }
}
