import { ConfigError } from '../client/hosts';

/** Reads a numeric setting the editor may have saved as a string. */
export function positiveNumber(value: unknown, fallback: number, name: string, integer = true): number {
  if (value === undefined || value === null || value === '') return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n))) {
    throw new ConfigError(`${name} must be a positive ${integer ? 'whole ' : ''}number, not "${value}"`);
  }
  return n;
}
