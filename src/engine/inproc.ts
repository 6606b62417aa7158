// The in-process transport: every core in one JavaScript heap. A message is
// pushed straight into its destination's queue (it arrives after the current
// window, so the order of cores within a window cannot matter). Cores with
// pending events sit in a heap keyed by their next event time, so a window
// touches only the cores that have work in it.
import { CoreRuntime } from "./core-runtime.ts";
import type { SimEvent } from "./event.ts";
import type { System } from "./kernel.ts";
import type { TraceRecord } from "./trace.ts";
import type { CollectedCore, Transport, WindowReport } from "./transport.ts";

export class InProcessTransport implements Transport {
  readonly cores: CoreRuntime[] = [];
  /** Min-heap of [next time, core]; an entry is live while it equals scheduled[core]. */
  private heapT: number[] = [];
  private heapC: number[] = [];
  private scheduled: Float64Array;
  /** The cores with events in the current window, and the window's tally: kept to spare allocations per window. */
  private readonly due: number[] = [];
  private readonly report: WindowReport = { events: 0, messages: 0, next: Infinity };
  private readonly outbox = (dst: number, e: SimEvent) => {
    this.cores[dst].deliver(e);
    // The message's own time, not dst's next: dst may be due in this window and
    // not yet processed, and its next event then would leave a stale entry
    // behind it (an empty window that the durable transport does not have).
    this.schedule(dst, e.time);
  };

  constructor(
    private readonly system: System,
    private readonly keepTrace = false,
  ) {
    this.scheduled = new Float64Array(system.cores).fill(Infinity);
  }

  async start(): Promise<number> {
    const s = this.system;
    for (let c = 0; c < s.cores; c++) {
      this.cores.push(CoreRuntime.boot(c, s.boot(c), s.initial(c), s.lookahead, this.keepTrace));
      this.touch(c);
    }
    return this.heapT.length ? this.heapT[0] : Infinity;
  }

  window(bound: number): WindowReport {
    const due = this.due;
    let n = 0;
    while (this.heapT.length && this.heapT[0] < bound) {
      const t = this.heapT[0];
      const c = this.heapC[0];
      this.pop();
      if (t === this.scheduled[c]) {
        this.scheduled[c] = Infinity;
        due[n++] = c;
      }
    }
    const report = this.report;
    report.events = 0;
    report.messages = 0;
    for (let i = 0; i < n; i++) {
      const c = due[i];
      const w = this.cores[c].process(bound, this.outbox);
      report.events += w.events;
      report.messages += w.messages;
      this.touch(c);
    }
    this.prune();
    report.next = this.heapT.length ? this.heapT[0] : Infinity;
    return report;
  }

  async collect(): Promise<{ cores: CollectedCore[]; trace: TraceRecord[][] | null }> {
    return {
      cores: this.cores.map((c) => ({
        core: c.core,
        clock: c.clock,
        events: c.events,
        messages: c.messages,
        pending: c.pending,
        hash: c.hash,
        result: c.kernel.result(),
        channels: c.channels.counts(),
      })),
      trace: this.keepTrace ? this.cores.map((c) => c.trace!) : null,
    };
  }

  private touch(c: number): void {
    this.schedule(c, this.cores[c].nextTime());
  }

  private schedule(c: number, t: number): void {
    if (t < this.scheduled[c]) {
      this.scheduled[c] = t;
      this.push(t, c);
    }
  }

  /** Drop stale entries from the top so the top is the true next time. */
  private prune(): void {
    while (this.heapT.length && this.heapT[0] !== this.scheduled[this.heapC[0]]) this.pop();
  }

  private push(t: number, c: number): void {
    const T = this.heapT;
    const C = this.heapC;
    let i = T.length;
    T.push(t);
    C.push(c);
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (T[p] < t || (T[p] === t && C[p] <= c)) break;
      T[i] = T[p];
      C[i] = C[p];
      i = p;
    }
    T[i] = t;
    C[i] = c;
  }

  /** Remove the top entry (read it from heapT[0], heapC[0] first). */
  private pop(): void {
    const T = this.heapT;
    const C = this.heapC;
    const lt = T.pop()!;
    const lc = C.pop()!;
    const n = T.length;
    if (n) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= n) break;
        const r = l + 1;
        const m = r < n && (T[r] < T[l] || (T[r] === T[l] && C[r] < C[l])) ? r : l;
        if (T[m] > lt || (T[m] === lt && C[m] >= lc)) break;
        T[i] = T[m];
        C[i] = C[m];
        i = m;
      }
      T[i] = lt;
      C[i] = lc;
    }
  }
}
