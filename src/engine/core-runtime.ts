// One simulated core on virtual time: its event queues, its clock, and the
// kernel it hosts. Single-threaded and non-preemptible: a handler starts at
// max(arrival, busy-until), runs to completion, and keeps the core busy for
// the cycles it charges. Hardware events (the memory system's) are handled at
// their own arrival, busy CPU or not, and before any CPU handler that starts
// at or after them; so that none can be missed, a CPU handler only starts
// before the window's bound. The same class runs inside the in-process engine
// and inside a core's Durable Object.
import { EventClass, type Json, type SimEvent } from "./event.ts";
import type { Context, Kernel } from "./kernel.ts";
import { Channels, type ChannelState } from "./conservation.ts";
import { EventQueue } from "./queue.ts";
import { lagOf, lagTable, type LagTable, type Lookahead } from "./horizons.ts";
import { TraceHash, type TraceRecord } from "./trace.ts";

export interface CoreSnapshot {
  core: number;
  busyUntil: number;
  /** The latest window bound this core has handled its events up to. */
  reached: number;
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

/**
 * A message reached a core in the time it had handled already: the windows
 * let it run past a message still to come, so the lookahead promised more
 * than the kernels keep to. The run would differ from a correct one.
 */
export class CausalityError extends Error {
  constructor(core: number, e: SimEvent, reached: number) {
    super(`core ${core}: "${e.kind}" from core ${e.src} arrives at ${e.time}, before ${reached}, which this core has handled up to`);
    this.name = "CausalityError";
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
  /** Whether the handler running now is a hardware event's: it may not charge the CPU. */
  private hardware = false;
  /** Messages sent and delivered per channel, for message conservation. */
  readonly channels: Channels;

  private constructor(
    readonly core: number,
    readonly kernel: Kernel,
    /** Events for the CPU, and the memory system's. */
    private readonly queue: EventQueue,
    private readonly hwQueue: EventQueue,
    private busyUntil: number,
    private reached: number,
    private seq: number,
    public events: number,
    public messages: number,
    hash: string | undefined,
    /** The least delay of a message to each core: sends below it are refused, since the windows count on it. */
    private readonly lags: LagTable,
    readonly trace: TraceRecord[] | null,
    channels?: ChannelState,
  ) {
    this.hasher = new TraceHash(hash);
    this.channels = new Channels(core, channels);
  }

  /** `cores`: how many the system has (the lookahead's table covers them all). */
  static boot(core: number, kernel: Kernel, initial: SimEvent[], lookahead: Lookahead, cores: number, trace: boolean): CoreRuntime {
    return CoreRuntime.make(core, kernel, initial, 0, 0, 0, 0, 0, undefined, lagTable(lookahead, cores), trace ? [] : null);
  }

  static restore(s: CoreSnapshot, kernel: Kernel, lookahead: Lookahead, cores: number): CoreRuntime {
    return CoreRuntime.make(s.core, kernel, s.queue, s.busyUntil, s.reached, s.seq, s.events, s.messages, s.hash, lagTable(lookahead, cores), s.trace, s.channels);
  }

  private static make(
    core: number,
    kernel: Kernel,
    events: SimEvent[],
    ...rest: [number, number, number, number, number, string | undefined, LagTable, TraceRecord[] | null, ChannelState?]
  ): CoreRuntime {
    const cpu = new EventQueue();
    const hw = new EventQueue();
    for (const e of events) (e.cls === EventClass.Hardware ? hw : cpu).push(e);
    return new CoreRuntime(core, kernel, cpu, hw, ...rest);
  }

  /** When this core next handles an event: its next hardware event, or its next CPU event's start. Infinity when it has none. */
  nextTime(): number {
    const cpu = this.queue.size ? Math.max(this.queue.nextTime(), this.busyUntil) : Infinity;
    const hw = this.hwQueue.nextTime();
    return hw < cpu ? hw : cpu;
  }

  get pending(): number {
    return this.queue.size + this.hwQueue.size;
  }

  get clock(): number {
    return this.busyUntil;
  }

  get hash(): string {
    return this.hasher.hex();
  }

  /**
   * A message from another core; one delivered twice or out of its channel's
   * order is a ConservationError, one in the time this core has handled
   * already a CausalityError.
   */
  deliver(e: SimEvent): void {
    if (e.time < this.reached) throw new CausalityError(this.core, e, this.reached);
    this.channels.receive(e.src, e.seq);
    this.enqueue(e);
  }

  /**
   * Handle, in key order, every hardware event that arrives before `bound`
   * and every CPU event that starts before it. The caller guarantees that no
   * event arriving before `bound` is still to come. The returned tally is
   * reused by the next call.
   */
  process(bound: number, outbox: Outbox): WindowWork {
    this.outbox = outbox;
    const work = this.work;
    work.events = 0;
    work.messages = 0;
    work.sentMin = Infinity;
    const q = this.queue;
    const hw = this.hwQueue;
    for (;;) {
      const hwAt = hw.nextTime();
      const start = q.size ? Math.max(q.nextTime(), this.busyUntil) : Infinity;
      const hardware = hwAt <= start;
      const at = hardware ? hwAt : start;
      if (!(at < bound)) break;
      const e = (hardware ? hw : q).pop()!;
      this.now = at;
      this.hardware = hardware;
      this.kernel.handle(e, this);
      if (!hardware) this.busyUntil = this.now;
      work.events++;
      // The source's sequence number is left out: its own hash already covers the send.
      this.hasher.num(at).num(this.now).word(e.src).str(e.kind);
      this.trace?.push({ type: "handler", core: this.core, kind: e.kind, time: e.time, start: at, end: this.now, src: e.src, seq: e.seq, ...(hardware ? { hardware } : {}) });
    }
    this.hardware = false;
    if (bound > this.reached) this.reached = bound;
    this.events += work.events;
    this.messages += work.messages;
    return work;
  }

  charge(cycles: number): void {
    this.busy(cycles, "charge");
    if (!this.kernel.time) return void (this.now = this.at(cycles, "a charge"));
    const t = this.kernel.time(cycles);
    if (!(t >= 0) || !Number.isInteger(t)) throw new RangeError(`core ${this.core}: ${cycles} cycles of its clock come to ${t} cycles of time`);
    this.now = this.at(t, "a charge");
  }

  stall(cycles: number): void {
    this.busy(cycles, "stall");
    this.now = this.at(cycles, "a stall");
  }

  /** Checks what keeps the CPU busy: whole cycles, and not from a hardware event. */
  private busy(cycles: number, what: string): void {
    if (!(cycles >= 0) || !Number.isInteger(cycles)) throw new RangeError(`core ${this.core}: ${what} of ${cycles} cycles`);
    if (this.hardware && cycles > 0) throw new Error(`core ${this.core}: a hardware event cannot keep the CPU busy`);
  }

  get cpuFreeAt(): number {
    return this.hardware ? this.busyUntil : this.now;
  }

  send(dst: number, kind: string, data: Json, delay: number, cls: EventClass = EventClass.Message): number {
    if (dst === this.core) return this.after(delay, kind, data, cls);
    if (!(Number.isInteger(dst) && dst >= 0 && dst < this.lags.group.length)) {
      throw new RangeError(`message "${kind}" to core ${dst}; the simulation has ${this.lags.group.length} cores`);
    }
    const lag = lagOf(this.lags, this.core, dst);
    if (lag === Infinity) throw new RangeError(`core ${this.core} -> ${dst}: the lookahead has no message between these cores`);
    if (!(delay >= lag) || !Number.isInteger(delay)) {
      throw new RangeError(`core ${this.core} -> ${dst}: delay ${delay} is below the lookahead ${lag}`);
    }
    const e: SimEvent = { time: this.at(delay, `a message to core ${dst}`), cls, src: this.core, seq: this.seq++, kind, data };
    this.work.messages++;
    this.channels.sent(dst);
    if (e.time < this.work.sentMin) this.work.sentMin = e.time;
    this.hasher.word(dst).num(e.time);
    this.trace?.push({ type: "send", core: this.core, kind, time: this.now, dst, arrival: e.time, seq: e.seq });
    this.outbox(dst, e);
    return e.seq;
  }

  after(delay: number, kind: string, data: Json, cls: EventClass = EventClass.Timer): number {
    if (!(delay >= 0) || !Number.isInteger(delay)) throw new RangeError(`core ${this.core}: timer delay ${delay}`);
    const seq = this.seq++;
    this.enqueue({ time: this.at(delay, "a timer"), cls, src: this.core, seq, kind, data });
    return seq;
  }

  arrive(kind: string, data: Json, src: number, seq: number): void {
    this.queue.push({ time: this.now, cls: EventClass.Message, src, seq, kind, data });
  }

  annotate(name: string, start: number, end: number, args: Json): void {
    this.trace?.push({ type: "span", core: this.core, name, start, end, args });
  }

  /** Into the queue the event's class uses. */
  private enqueue(e: SimEvent): void {
    (e.cls === EventClass.Hardware ? this.hwQueue : this.queue).push(e);
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
      reached: this.reached,
      seq: this.seq,
      events: this.events,
      messages: this.messages,
      hash: this.hash,
      queue: [...this.queue.toArray(), ...this.hwQueue.toArray()],
      kernel: this.kernel.snapshot(),
      channels: this.channels.state(),
      trace: this.trace,
    };
  }
}
