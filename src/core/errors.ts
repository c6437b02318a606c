/** Errors every layer raises: a setting that cannot work, and a record that cannot be sent. */

/** A node's settings cannot work (red status at deploy; every record of every message fails). */
export class ConfigError extends Error {}

/** A problem with one record (missing id or field, bad value): no request is sent for it. */
export class RecordError extends Error {}
