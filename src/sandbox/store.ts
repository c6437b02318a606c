import { randomUUID } from 'node:crypto';
import { badRequest, Body } from './reply';

/** A stored object: whatever fields it was given plus the ones the store owns. */
export type StoredObject = Body & { id: string; createdAt: string; updatedAt: string };

export type SortBy = 'updatedAt' | 'createdAt';

export interface PageRequest {
  limit: number;
  /** The `next` cursor of the previous page. */
  from?: string;
  sortBy: SortBy;
  filter?: (o: StoredObject) => boolean;
}

export interface Page {
  results: StoredObject[];
  next: string | null;
}

interface Entry {
  obj: StoredObject;
  createdSeq: number;
  updatedSeq: number;
}

/**
 * One resource's objects, indexed by id and by one unique key field (externalId
 * for most resources). Two maps keep insertion order for free: `byId` is in
 * creation order, `byUpdate` is re-inserted on every write and so stays in update
 * order, which makes both sort orders a reverse scan with no sorting.
 */
export class Collection {
  private byId = new Map<string, Entry>();
  private byUpdate = new Map<string, Entry>();
  private byKey = new Map<string, string>();
  private seq = 0;

  constructor(
    readonly name: string,
    readonly keyField = 'externalId',
  ) {}

  get size(): number {
    return this.byId.size;
  }

  getById(id: string): StoredObject | undefined {
    return this.byId.get(id)?.obj;
  }

  getByKey(key: unknown): StoredObject | undefined {
    const id = isKey(key) ? this.byKey.get(String(key)) : undefined;
    return id === undefined ? undefined : this.getById(id);
  }

  /** By id first, then by the key field. */
  find(idOrKey: string): StoredObject | undefined {
    return this.getById(idOrKey) ?? this.getByKey(idOrKey);
  }

  /** Stores a new object; keeps `fields.id` when it is a string (seed data), otherwise assigns a UUID. */
  insert(fields: Body): StoredObject {
    const now = new Date().toISOString();
    const { id: given, ...rest } = fields;
    const id = typeof given === 'string' && given ? given : randomUUID();
    if (this.byId.has(id)) throw badRequest(`${this.name} already has an object with id ${id}`);
    const obj: StoredObject = { id, ...rest, createdAt: now, updatedAt: now };
    this.checkKeyFree(obj);
    const seq = ++this.seq;
    const entry = { obj, createdSeq: seq, updatedSeq: seq };
    this.byId.set(id, entry);
    this.byUpdate.set(id, entry);
    this.index(obj);
    return obj;
  }

  /** Writes a new version of an existing object; id and createdAt are kept, updatedAt moves. */
  replace(id: string, fields: Body): StoredObject {
    const entry = this.byId.get(id);
    if (!entry) throw new Error(`no ${this.name} ${id}`);
    const { id: _id, ...rest } = fields;
    const obj: StoredObject = { id, ...rest, createdAt: entry.obj.createdAt, updatedAt: new Date().toISOString() };
    this.checkKeyFree(obj);
    this.unindex(entry.obj);
    entry.obj = obj;
    entry.updatedSeq = ++this.seq;
    this.byUpdate.delete(id);
    this.byUpdate.set(id, entry);
    this.index(obj);
    return obj;
  }

  remove(id: string): StoredObject | undefined {
    const entry = this.byId.get(id);
    if (!entry) return undefined;
    this.byId.delete(id);
    this.byUpdate.delete(id);
    this.unindex(entry.obj);
    return entry.obj;
  }

  /** Every object, oldest first. */
  values(): StoredObject[] {
    return Array.from(this.byId.values(), (e) => e.obj);
  }

  /** The newest `n` objects by update, newest first. */
  latest(n: number): StoredObject[] {
    return Array.from(this.byUpdate.values())
      .slice(-n)
      .reverse()
      .map((e) => e.obj);
  }

  /** Newest first, `limit` at a time; the cursor is the sort position of the last result. */
  page({ limit, from, sortBy, filter }: PageRequest): Page {
    const byCreation = sortBy === 'createdAt';
    const entries = Array.from((byCreation ? this.byId : this.byUpdate).values());
    const seqOf = (e: Entry) => (byCreation ? e.createdSeq : e.updatedSeq);
    let i = entries.length - 1;
    if (from !== undefined) {
      const after = decodeCursor(from, sortBy);
      i = lastIndexBelow(entries, after, seqOf);
    }
    const results: StoredObject[] = [];
    let lastSeq = 0;
    for (; i >= 0; i--) {
      const e = entries[i];
      if (filter && !filter(e.obj)) continue;
      if (results.length === limit) return { results, next: encodeCursor(sortBy, lastSeq) };
      results.push(e.obj);
      lastSeq = seqOf(e);
    }
    return { results, next: null };
  }

  private checkKeyFree(obj: StoredObject): void {
    const key = obj[this.keyField];
    const holder = isKey(key) ? this.byKey.get(String(key)) : undefined;
    if (holder !== undefined && holder !== obj.id) {
      throw badRequest(`${this.keyField} ${String(key)} already exists in ${this.name} (id ${holder})`);
    }
  }

  private index(obj: StoredObject): void {
    const key = obj[this.keyField];
    if (isKey(key)) this.byKey.set(String(key), obj.id);
  }

  private unindex(obj: StoredObject): void {
    const key = obj[this.keyField];
    if (isKey(key)) this.byKey.delete(String(key));
  }
}

function isKey(v: unknown): v is string | number {
  return (typeof v === 'string' && v !== '') || typeof v === 'number';
}

/** Entries are in ascending sequence order, so a binary search finds where a cursor resumes. */
function lastIndexBelow(entries: Entry[], seq: number, seqOf: (e: Entry) => number): number {
  let lo = 0;
  let hi = entries.length; // first index whose seq >= the cursor's
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (seqOf(entries[mid]) < seq) lo = mid + 1;
    else hi = mid;
  }
  return lo - 1;
}

function encodeCursor(sortBy: SortBy, seq: number): string {
  return Buffer.from(`${sortBy}:${seq}`).toString('base64url');
}

function decodeCursor(cursor: string, sortBy: SortBy): number {
  const match = /^(updatedAt|createdAt):(\d+)$/.exec(Buffer.from(cursor, 'base64url').toString());
  if (!match || match[1] !== sortBy) throw badRequest('from is not a cursor of this listing');
  return Number(match[2]);
}

/** The named collections of one sandbox; names may carry slashes (`customObjects/<id>/instances`). */
export class Store {
  private collections = new Map<string, Collection>();

  get(name: string): Collection | undefined {
    return this.collections.get(name);
  }

  ensure(name: string, keyField?: string): Collection {
    let c = this.collections.get(name);
    if (!c) this.collections.set(name, (c = new Collection(name, keyField)));
    return c;
  }

  names(): string[] {
    return Array.from(this.collections.keys());
  }

  clear(): void {
    this.collections.clear();
  }
}
