// One simulated core on virtual time: its event queue, its clock, and the
// kernel it hosts. Single-threaded and non-preemptible: a handler starts at
// max(arrival, busy-until), runs to completion, and keeps the core busy for
// the cycles it charges. The same class runs inside the in-process engine and
// inside a core's Durable Object.
import { EventClass, type Json, type SimEvent } from "./event.ts";
import type { Context, Kernel } from "./kernel.ts";
import { Channels, type ChannelState } from "./conservation.ts";
import { EventQueue } from "./queue.ts";
import { TraceHash, type TraceRecord } from "./trace.ts";

export interface CoreSnapshot {
  core: number;
  busyUntil: number;
  seq: number;
  events: number;
  messages: number;
  hash: string;
  queue: SimEvent[];
  kernel: Json;
  channels: ChannelState;
  trace: TraceRecord[] | null;
}

/**
 * The latest simulated time the engine counts: 2^53 - 1 cycles, past which a
 * double no longer holds every integer, so times, ordering and hashes would
 * stop being exact.
 */
export const MAX_TIME = Number.MAX_SAFE_INTEGER;

/** A kernel asked for a time past MAX_TIME: a cost or a delay is far too large. */
export class TimeLimitError extends RangeError {
  constructor(core: number, what: string, cycles: number) {
    super(`core ${core}: ${what} of ${cycles} cycles would take simulated time past 2^53 cycles, the most the engine counts exactly`);
    this.name = "TimeLimitError";
  }
}

/** Where a core's outgoing messages go: straight into queues, or into per-destination batches. */
export type Outbox = (dst: number, event: SimEvent) => void;

export interface WindowWork {
  events: number;
  messages: number;
  /** Earliest arrival among the messages sent, Infinity if none. */
  sentMin: number;
}

export class CoreRuntime implements Context {
  now = 0;
  private outbox: Outbox = () => {};
  private work: WindowWork = { events: 0, messages: 0, sentMin: Infinity };
  private readonly hasher: TraceHash;
  /** Messages sent and delivered per channel, for message conservation. */
  readonly channels: Channels;

  private constructor(
    readonly core: number,
    readonly kernel: Kernel,
    private readonly queue: EventQueue,
    private busyUntil: number,
    private seq: number,
    public events: number,
    public messages: number,
    hash: string | undefined,
    private readonly lookahead: number,
    readonly trace: TraceRecord[] | null,
    channels?: ChannelState,
  ) {
    this.hasher = new TraceHash(hash);
    this.channels = new Channels(core, channels);
  }

  static boot(core: number, kernel: Kernel, initial: SimEvent[], lookahead: number, trace: boolean): CoreRuntime {
    return new CoreRuntime(core, kernel, EventQueue.from(initial), 0, 0, 0, 0, undefined, lookahead, trace ? [] : null);
  }

  static restore(s: CoreSnapshot, kernel: Kernel, lookahead: number): CoreRuntime {
    return new CoreRuntime(s.core, kernel, EventQueue.from(s.queue), s.busyUntil, s.seq, s.events, s.messages, s.hash, lookahead, s.trace, s.channels);
  }

  /** Arrival time of this core's next event, Infinity when it has none. */
  nextTime(): number {
    return this.queue.nextTime();
  }

  get pending(): number {
    return this.queue.size;
  }

  get clock(): number {
    return this.busyUntil;
  }

  get hash(): string {
    return this.hasher.hex();
  }

  /** A message from another core; one delivered twice or out of its channel's order is a ConservationError. */
  deliver(e: SimEvent): void {
    this.channels.receive(e.src, e.seq);
    this.queue.push(e);
  }

  /**
   * Handle, in key order, every event that arrives before `bound`. The caller
   * guarantees that no event arriving before `bound` is still to come. The
   * returned tally is reused by the next call.
   */
  process(bound: number, outbox: Outbox): WindowWork {
    this.outbox = outbox;
    const work = this.work;
    work.events = 0;
    work.messages = 0;
    work.sentMin = Infinity;
    const q = this.queue;
    while (q.size && q.nextTime() < bound) {
      const e = q.pop()!;
      const start = e.time > this.busyUntil ? e.time : this.busyUntil;
      this.now = start;
      this.kernel.handle(e, this);
      this.busyUntil = this.now;
      work.events++;
      // The source's sequence number is left out: its own hash already covers the send.
      this.hasher.num(start).num(this.now).word(e.src).str(e.kind);
      this.trace?.push({ type: "handler", core: this.core, kind: e.kind, time: e.time, start, end: this.now, src: e.src, seq: e.seq });
    }
    this.events += work.events;
    this.messages += work.messages;
    return work;
  }

  charge(cycles: number): void {
    if (!(cycles >= 0) || !Number.isInteger(cycles)) throw new RangeError(`core ${this.core}: charge of ${cycles} cycles`);
    this.now = this.at(cycles, "a charge");
  }

  send(dst: number, kind: string, data: Json, delay: number, cls: EventClass = EventClass.Message): void {
    if (dst === this.core) return this.after(delay, kind, data, cls);
    if (!(delay >= this.lookahead) || !Number.isInteger(delay)) {
      throw new RangeError(`core ${this.core} -> ${dst}: delay ${delay} is below the lookahead ${this.lookahead}`);
    }
    const e: SimEvent = { time: this.at(delay, `a message to core ${dst}`), cls, src: this.core, seq: this.seq++, kind, data };
    this.work.messages++;
    this.channels.sent(dst);
    if (e.time < this.work.sentMin) this.work.sentMin = e.time;
    this.hasher.word(dst).num(e.time);
    this.trace?.push({ type: "send", core: this.core, kind, time: this.now, dst, arrival: e.time, seq: e.seq });
    this.outbox(dst, e);
  }

  after(delay: number, kind: string, data: Json, cls: EventClass = EventClass.Timer): void {
    if (!(delay >= 0) || !Number.isInteger(delay)) throw new RangeError(`core ${this.core}: timer delay ${delay}`);
    this.queue.push({ time: this.at(delay, "a timer"), cls, src: this.core, seq: this.seq++, kind, data });
  }

  /** `cycles` from now, if the engine can count it exactly. */
  private at(cycles: number, what: string): number {
    const t = this.now + cycles;
    if (t > MAX_TIME) throw new TimeLimitError(this.core, what, cycles);
    return t;
  }

  snapshot(): CoreSnapshot {
    return {
      core: this.core,
      busyUntil: this.busyUntil,
      seq: this.seq,
      events: this.events,
      messages: this.messages,
      hash: this.hash,
      queue: this.queue.toArray(),
      kernel: this.kernel.snapshot(),
      channels: this.channels.state(),
      trace: this.trace,
    };
  }
}
