import { RecordError } from '../core/errors';

/**
 * Encodes an id as exactly one URL path segment. Empty ids, objects and the dot segments
 * (which every HTTP client normalises away) are refused so no request can reach another path.
 */
export function encodeSegment(name: string, value: unknown): string {
  if (value === undefined || value === null || value === '') {
    throw new RecordError(`${name} is empty`);
  }
  if (typeof value === 'number' && !Number.isFinite(value)) throw new RecordError(`${name} is not a finite number`);
  if (typeof value !== 'string' && typeof value !== 'number') {
    throw new RecordError(
      `${name} must be a string or a number, not ${Array.isArray(value) ? 'an array' : typeof value}`,
    );
  }
  const text = String(value);
  if (text.trim() === '') throw new RecordError(`${name} is empty`);
  if (text === '.' || text === '..') throw new RecordError(`${name} "${text}" cannot be sent as an id`);
  return encodeURIComponent(text);
}
