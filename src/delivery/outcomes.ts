/** What a call's outcome means for its records, and the message output 2 carries for it. */
import { errorText } from '../client/http';
import { Message, PlannedRequest, Purpose } from '../core/types';
import { Outcome } from './scheduler';

/** A failed call's reason, as each of its records reports it. */
export function failureReason(outcome: Pick<Outcome, 'status' | 'body' | 'error'>): string {
  if (outcome.status === undefined) return outcome.error || 'no response';
  const text = errorText(outcome.body);
  return `HTTP ${outcome.status}${text ? `: ${text}` : ''}`;
}

/** One API call (or, in a dry run, one rendered request) as output 2 reports it. */
export interface ApiCall {
  request: PlannedRequest;
  purpose: Purpose;
  /** How many records the call carried. */
  records: number;
  /** The message the records came from, when they all came from one. */
  source?: Message;
  /** Absent when it was not sent (a dry run's write). */
  outcome?: Outcome;
}

/** Output 2's message for one call: the originating message's properties when it had one. */
export function responseMessage(call: ApiCall): Message {
  const { request, outcome } = call;
  const out: Message = {
    ...call.source,
    payload: outcome?.body,
    statusCode: outcome?.status,
    headers: outcome?.headers,
    request: { method: request.method, url: request.url, body: request.body },
    records: call.records,
    attempts: outcome?.attempts ?? 0,
    purpose: call.purpose,
  };
  if (!outcome) out.dryRun = true;
  if (outcome?.error) out.error = outcome.error;
  return out;
}
