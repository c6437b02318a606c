/**
 * The admin routes, called with jQuery so Node-RED's own request setup (its admin token,
 * when adminAuth is on) applies. Relative URLs: the editor may sit under any path.
 */

export interface Answer {
  /** HTTP status; 0 when Node-RED did not answer. */
  status: number;
  body: unknown;
}

function call(options: JQueryAjaxOptions): Promise<Answer> {
  return new Promise((resolve) => {
    $.ajax({ dataType: 'json', cache: false, ...options })
      .done((body) => resolve({ status: 200, body }))
      .fail((xhr) => resolve({ status: xhr.status, body: xhr.responseJSON }));
  });
}

export const getJSON = (url: string) => call({ url, type: 'GET' });

export const postJSON = (url: string, body: unknown) =>
  call({ url, type: 'POST', contentType: 'application/json', data: JSON.stringify(body) });

/** The message an answer carries (`{ error }` or `{ message }`), or one made from its status. */
export function answerError(answer: Answer, unreachable: string): string | undefined {
  const body = answer.body as { error?: unknown; message?: unknown } | undefined;
  if (body && typeof body === 'object' && !Array.isArray(body)) {
    if (typeof body.error === 'string') return body.error;
    if (answer.status !== 200 && typeof body.message === 'string') return body.message;
  }
  if (answer.status === 0) return unreachable;
  if (answer.status !== 200) return `HTTP ${answer.status}`;
  return undefined;
}
