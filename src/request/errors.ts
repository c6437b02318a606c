/** A problem with one record (missing id or field, bad value): no request is sent for it. */
export class RecordError extends Error {}
