// Arrays a run is done with, kept for later work to fill instead of allocating: a run goes through tens of MiB of
// raw reads, float planes and blend accumulators per chunk, and fresh ones are zero-filled pages and garbage the
// collector chases. Items are lent out whole and filled as views of their start, so a view handed back is kept as
// the whole item behind it; an item that is not whole (a view into something the giver may still use) is not kept.

/** Reads an item's arrays: one typed array, or several that go together (a pair of planes). */
export type ArraysOf<T> = (item: T) => readonly ArrayBufferView[];

export class SparePool<T> {
  private readonly spare: T[] = [];
  /** Items lent out, by their first array's buffer. */
  private readonly lent = new WeakMap<ArrayBufferLike, T>();

  constructor(
    /** How many items to keep: the oldest goes when one more is given back. */
    private readonly keep: number,
    private readonly arraysOf: ArraysOf<T>,
  ) {}

  /** A kept item whose every array holds at least `length` elements, taken out of the pool; undefined if none. */
  take(length: number): T | undefined {
    const at = this.spare.findIndex((item) => this.arraysOf(item).every((a) => elements(a) >= length));
    if (at < 0) return undefined;
    const [item] = this.spare.splice(at, 1);
    this.lent.set(this.arraysOf(item)[0].buffer, item);
    return item;
  }

  /** A kept item that holds `length` elements, or else a new one from `make`, lent out as taken ones are. */
  takeOrMake(length: number, make: () => T): T {
    const kept = this.take(length);
    if (kept) return kept;
    const item = make();
    this.lent.set(this.arraysOf(item)[0].buffer, item);
    return item;
  }

  /** Keeps `used` (or the whole item it is a view of) for a later take. */
  give(used: T): void {
    const views = this.arraysOf(used);
    const lent = this.lent.get(views[0].buffer);
    const whole = lent ?? (isWhole(views) ? used : undefined);
    if (whole === undefined) return;
    const arrays = this.arraysOf(whole);
    if (views.some((v, i) => v.buffer !== arrays[i].buffer)) return;
    this.lent.delete(views[0].buffer);
    this.spare.push(whole);
    if (this.spare.length > this.keep) this.spare.shift();
  }
}

function elements(view: ArrayBufferView): number {
  return (view as ArrayBufferView & { length: number }).length;
}

/** Whether the arrays are each the whole of a buffer of its own. */
function isWhole(views: readonly ArrayBufferView[]): boolean {
  return (
    views.every((v) => v.byteOffset === 0 && v.byteLength === v.buffer.byteLength) &&
    new Set(views.map((v) => v.buffer)).size === views.length
  );
}
