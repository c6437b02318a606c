import { HttpError } from './reply';

const MISSING = 'Authorization header not present.';

/**
 * REST: `Basic base64(apiKey + ":")`, the key as username and any password
 * (Vitally's ready-made header has an empty one; Airbyte sends one anyway).
 */
export function checkRestAuth(header: string | undefined, apiKey: string, expected: string): void {
  if (header === expected) return; // the common case, without decoding
  const encoded = credentialsOf(header);
  const decoded = Buffer.from(encoded, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0 || decoded.slice(0, colon) !== apiKey) throw new HttpError(401, 'Invalid API key');
}

/** Analytics: `Basic <token>` with the token exactly as Vitally hands it out (already encoded). */
export function checkAnalyticsAuth(header: string | undefined, token: string): void {
  if (credentialsOf(header) !== token) throw new HttpError(401, 'Invalid Analytics API token');
}

export const restAuthHeader = (apiKey: string): string => `Basic ${Buffer.from(`${apiKey}:`).toString('base64')}`;

function credentialsOf(header: string | undefined): string {
  if (!header) throw new HttpError(401, MISSING);
  const match = /^basic\s+(\S+)\s*$/i.exec(header);
  if (!match) throw new HttpError(401, 'Authorization must use the Basic scheme');
  return match[1];
}
