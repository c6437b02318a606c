/**
 * Groups items into batches of at most `size`, one open batch per group key; a batch that
 * is not full is flushed `timeoutMs` after its first item arrived.
 */
export class Batcher<T> {
  private readonly groups = new Map<string, { items: T[]; timer: NodeJS.Timeout }>();
  private count = 0;

  constructor(
    private readonly size: number,
    private readonly timeoutMs: number,
    private readonly flush: (items: T[]) => void,
  ) {}

  /** Items waiting in open batches. */
  get pending(): number {
    return this.count;
  }

  add(key: string, item: T): void {
    let group = this.groups.get(key);
    if (!group) {
      group = { items: [], timer: setTimeout(() => this.flushGroup(key), this.timeoutMs) };
      this.groups.set(key, group);
    }
    group.items.push(item);
    this.count++;
    if (group.items.length >= this.size) this.flushGroup(key);
  }

  private flushGroup(key: string): void {
    const group = this.groups.get(key);
    if (!group) return;
    clearTimeout(group.timer);
    this.groups.delete(key);
    this.count -= group.items.length;
    this.flush(group.items);
  }

  /** Empties every open batch without flushing it; returns the items that were waiting. */
  drain(): T[] {
    const items: T[] = [];
    for (const group of this.groups.values()) {
      clearTimeout(group.timer);
      items.push(...group.items);
    }
    this.groups.clear();
    this.count = 0;
    return items;
  }
}
