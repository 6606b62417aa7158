// One core's pending events: a binary min-heap on the total event key.
import { before, type SimEvent } from "./event.ts";

export class EventQueue {
  private heap: SimEvent[] = [];

  get size(): number {
    return this.heap.length;
  }

  /** Arrival time of the earliest event, or Infinity. */
  nextTime(): number {
    return this.heap.length ? this.heap[0].time : Infinity;
  }

  peek(): SimEvent | undefined {
    return this.heap[0];
  }

  push(e: SimEvent): void {
    const h = this.heap;
    let i = h.length;
    h.push(e);
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!before(e, h[p])) break;
      h[i] = h[p];
      i = p;
    }
    h[i] = e;
  }

  pop(): SimEvent | undefined {
    const h = this.heap;
    const top = h[0];
    const last = h.pop();
    if (h.length && last) {
      let i = 0;
      const n = h.length;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= n) break;
        const r = l + 1;
        const c = r < n && before(h[r], h[l]) ? r : l;
        if (!before(h[c], last)) break;
        h[i] = h[c];
        i = c;
      }
      h[i] = last;
    }
    return top;
  }

  /** The events in key order, for persisting; the heap is rebuilt from them. */
  toArray(): SimEvent[] {
    return [...this.heap].sort((a, b) => (before(a, b) ? -1 : before(b, a) ? 1 : 0));
  }

  static from(events: SimEvent[]): EventQueue {
    const q = new EventQueue();
    for (const e of events) q.push(e);
    return q;
  }
}
