// The in-process transport: every core in one JavaScript heap. A message is
// pushed straight into its destination's queue (it arrives after its
// destination's bound, so the order of cores within a window cannot matter).
// The agenda holds each core's earliest pending event; a window handles the
// cores due before their bounds.
import { CoreRuntime } from "./core-runtime.ts";
import type { SimEvent } from "./event.ts";
import type { System } from "./kernel.ts";
import type { TraceRecord } from "./trace.ts";
import type { CollectedCore, Transport, WindowReport } from "./transport.ts";

export class InProcessTransport implements Transport {
  readonly cores: CoreRuntime[] = [];
  readonly agenda: Float64Array;
  /** The cores with events in the current window, and the window's tally: kept to spare allocations per window. */
  private readonly due: Int32Array;
  private readonly report: WindowReport = { events: 0, messages: 0, next: Infinity };
  private readonly outbox = (dst: number, e: SimEvent) => {
    this.cores[dst].deliver(e);
    // The message's own time, not dst's next: dst may be due in this window and
    // not yet processed, and the durable transport, which hears of messages
    // from their senders, counts them the same way.
    if (e.time < this.agenda[dst]) this.agenda[dst] = e.time;
  };

  constructor(
    private readonly system: System,
    private readonly keepTrace = false,
  ) {
    this.agenda = new Float64Array(system.cores).fill(Infinity);
    this.due = new Int32Array(system.cores);
  }

  async start(): Promise<number> {
    const s = this.system;
    for (let c = 0; c < s.cores; c++) {
      this.cores.push(CoreRuntime.boot(c, s.boot(c), s.initial(c), s.lookahead, s.cores, this.keepTrace));
      this.agenda[c] = this.cores[c].nextTime();
    }
    return this.earliest();
  }

  window(bounds: Float64Array): WindowReport {
    const { agenda, due } = this;
    let n = 0;
    for (let c = 0; c < agenda.length; c++) {
      if (agenda[c] < bounds[c]) {
        agenda[c] = Infinity;
        due[n++] = c;
      }
    }
    const report = this.report;
    report.events = 0;
    report.messages = 0;
    for (let i = 0; i < n; i++) {
      const c = due[i];
      const core = this.cores[c];
      const w = core.process(bounds[c], this.outbox);
      report.events += w.events;
      report.messages += w.messages;
      const next = core.nextTime();
      if (next < agenda[c]) agenda[c] = next;
    }
    report.next = this.earliest();
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

  private earliest(): number {
    let t = Infinity;
    for (const x of this.agenda) if (x < t) t = x;
    return t;
  }
}
