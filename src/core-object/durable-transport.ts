// The durable transport: the engine's Transport over Core Durable Objects,
// driven from inside the Simulation object. It carries no messages: cores send
// theirs straight to each other. What it keeps is the agenda, every core's
// earliest pending event, which decides the cores due in a window and is
// rebuilt from the cores' reports after each one:
//   - a core that handled the window reports its own next event; then
//   - every message sent in the window lowers its destination's entry.
// A message that landed before its destination reported is counted twice,
// which is harmless; one that landed after is counted by its sender. So the
// agenda is exact however the deliveries interleaved, and the window loop's
// bounds are the same as in-process.
import type { CollectedCore, Limits, TraceRecord, Transport, WindowReport, WindowRule } from "../engine/index.ts";
import { agendaAfter } from "./baton.ts";
import {
  addCalls,
  addStored,
  firstFailure,
  NO_CALLS,
  NO_CALLS_BY_KIND,
  NOTHING_STORED,
  subtreeCalls,
  type BootSummary,
  type Calls,
  type CallsByKind,
  type CollectSummary,
  type CommitSummary,
  type Baton,
  type Failure,
  type Stored,
  type WindowSummary,
} from "./protocol.ts";
import { settleAll, subtrees } from "./tree.ts";

/** How the Simulation reaches the root of a subtree of cores (`tree[0]`). */
export interface CoreLink {
  boot(tree: number[]): Promise<BootSummary>;
  /** Between two waves of boots: a moment with nothing under way. */
  pause(): Promise<void>;
  /** `bounds`: each core's of the tree, in its order; with a `baton`, the tree's root holds it (baton.ts). */
  window(tree: number[], window: number, bounds: number[], baton: Baton | null): Promise<WindowSummary>;
  collect(tree: number[]): Promise<CollectSummary>;
  commit(tree: number[]): Promise<CommitSummary>;
  rollBack(tree: number[]): Promise<Calls>;
}

/**
 * Cores booted together. A boot is one tree of calls creating objects, and a
 * local workerd, whose one thread every object shares, reads a request from
 * outside only when nothing inside is ready to run: booting 1024 cores at
 * once kept the run's status from answering for 3.5 s (the sweeps bench).
 * Deployed, a wave costs a few calls' latency.
 */
export const BOOT_WAVE_CORES = 128;

/** A core's kernel failed: the run cannot go on (retrying would fail the same way). */
export class CoreFailure extends Error {
  constructor(readonly failure: Failure) {
    // The engine's own errors name their core already.
    const core = `core ${failure.core}: `;
    super(failure.message.startsWith(core) ? failure.message : core + failure.message);
    this.name = "CoreFailure";
  }
}

/** What the Simulation persists between windows to resume the transport. */
export interface TransportState {
  /** Windows completed; the index of the next one. */
  windows: number;
  /** Events handled in them. */
  events: number;
  agenda: Float64Array;
  calls: Calls;
  /** Absent in states saved before the calls were told apart. */
  byKind?: CallsByKind;
  stored: Stored;
}

/** How the Simulation hands the first core due in a window a baton (baton.ts): windows it may run after it, and the loop's rule and limits. */
export interface Passing {
  windows: number;
  rule: WindowRule;
  limits: Limits;
}

export class DurableTransport implements Transport {
  private windows: number;
  private events: number;
  readonly agenda: Float64Array;
  /** Calls made by the run's operations so far, the Simulation's own included. */
  private calls: Calls;
  /** The same calls, by the operation they were made in. */
  private byKind: CallsByKind;
  /** What the cores' windows saved of their states. */
  private stored: Stored;
  /** Calls the Simulation made (subtree roots) through this instance, for its per-invocation budget. */
  rootCalls = 0;
  /** Faults the cores injected, once collected. */
  faults = 0;
  /** The cores changed since the last commit: those that ran a window or were sent a message; all of them when not known. */
  private touched = new Set<number>();
  private unknown = false;

  constructor(
    private readonly cores: number,
    private readonly fanout: number,
    private readonly link: CoreLink,
    private readonly keepTrace: boolean,
    private passing: Passing,
    state?: TransportState,
  ) {
    this.windows = state?.windows ?? 0;
    this.events = state?.events ?? 0;
    this.agenda = state ? Float64Array.from(state.agenda) : new Float64Array(cores).fill(Infinity);
    this.calls = state?.calls ?? NO_CALLS;
    this.byKind = state?.byKind ?? NO_CALLS_BY_KIND;
    this.stored = state?.stored ?? NOTHING_STORED;
  }

  /** The cores' changes since the last commit are not all known here (the Simulation ran windows before this instance, or failed): the next commit goes to every core. */
  touchAll(): void {
    this.unknown = true;
  }

  /** Every core changed since the last commit writes what it did (core.ts). */
  async commit(): Promise<void> {
    const cores = this.unknown ? this.all() : [...this.touched].sort((a, b) => a - b);
    const sums = await this.fan("commits", cores, (t) => this.link.commit(t));
    this.stored = addStored(this.stored, { written: sums.reduce((n, s) => n + s.written, 0), whole: 0 });
    this.touched.clear();
    this.unknown = false;
  }

  /** Windows a baton may run after the one the Simulation starts: 0 starts every window from the Simulation. */
  passBaton(windows: number): void {
    this.passing = { ...this.passing, windows };
  }

  /** Every core forgets what it did since the last commit. */
  async rollBack(): Promise<void> {
    await this.fan("rollBacks", this.all(), (t) => this.link.rollBack(t).then((calls) => ({ calls })));
    this.touched.clear();
    this.unknown = false;
  }

  state(): TransportState {
    return { windows: this.windows, events: this.events, agenda: Float64Array.from(this.agenda), calls: this.calls, byKind: this.byKind, stored: this.stored };
  }

  /** Boot the cores, BOOT_WAVE_CORES at a time, with a pause between two waves. */
  async start(): Promise<number> {
    for (let first = 0; first < this.cores; first += BOOT_WAVE_CORES) {
      if (first > 0) await this.link.pause();
      const wave = Array.from({ length: Math.min(BOOT_WAVE_CORES, this.cores - first) }, (_, i) => first + i);
      const sums = await this.fan("boots", wave, (t) => this.link.boot(t));
      this.check(sums);
      for (const s of sums) this.setNext(s.next);
    }
    return this.earliest();
  }

  async window(bounds: Float64Array): Promise<WindowReport> {
    const due: number[] = [];
    for (let c = 0; c < this.cores; c++) if (this.agenda[c] < bounds[c]) due.push(c);
    const w = this.windows;
    const { limits, rule } = this.passing;
    // The first core due holds the baton: it starts the others through its barrier tree and goes on from the whole window.
    const baton: Baton | null =
      this.passing.windows > 0 ? { agenda: this.agenda, rule, maxCycles: limits.maxCycles, eventsLeft: limits.maxEvents - this.events, windows: this.passing.windows } : null;
    for (const c of due) this.touched.add(c);
    const sums = await this.fan("windows", due, (t) => this.link.window(t, w, t.map((c) => bounds[c]), baton), baton !== null);
    this.check(sums);
    let events = 0;
    let messages = 0;
    // This window, then those the baton ran after it, in order.
    const windows = [sums, ...sums.flatMap((s) => s.passed)];
    for (const parts of windows) {
      for (const p of parts) {
        for (let i = 0; i < p.next.length; i += 2) this.touched.add(p.next[i]);
        for (let i = 0; i < p.sent.length; i += 2) this.touched.add(p.sent[i]);
        events += p.events;
        messages += p.messages;
        this.stored = addStored(this.stored, p.stored);
      }
      agendaAfter(this.agenda, parts);
    }
    this.windows += windows.length;
    this.events += events;
    return { events, messages, next: this.earliest(), windows: windows.length };
  }

  async collect(): Promise<{ cores: CollectedCore[]; trace: TraceRecord[][] | null }> {
    const sums = await this.fan("collections", this.all(), (t) => this.link.collect(t));
    this.faults = sums.reduce((n, s) => n + s.faults, 0);
    const cores = sums.flatMap((s) => s.cores).sort((a, b) => a.core - b.core);
    if (!this.keepTrace) return { cores, trace: null };
    const trace: TraceRecord[][] = Array.from({ length: this.cores }, () => []);
    for (const s of sums) for (const t of s.traces ?? []) trace[t.core] = t.records;
    return { cores, trace };
  }

  /** One operation over `cores` through the barrier tree; the Simulation calls at most `fanout` roots, or one (`oneRoot`). */
  private async fan<S extends { calls: Calls }>(kind: keyof CallsByKind, cores: number[], call: (tree: number[]) => Promise<S>, oneRoot = false): Promise<S[]> {
    const trees = oneRoot ? [cores] : subtrees(cores, this.fanout);
    const sums = await settleAll(trees.map(call));
    this.rootCalls += trees.length;
    const calls = subtreeCalls(trees.length, 0, sums.map((s) => s.calls));
    this.calls = addCalls(this.calls, calls);
    this.byKind = { ...this.byKind, [kind]: this.byKind[kind] + calls.total };
    return sums;
  }

  private check(sums: { failure: Failure | null }[]): void {
    const f = firstFailure(sums.map((s) => s.failure));
    if (f) throw new CoreFailure(f);
  }

  private all(): number[] {
    return Array.from({ length: this.cores }, (_, c) => c);
  }

  private setNext(pairs: number[]): void {
    for (let i = 0; i < pairs.length; i += 2) this.agenda[pairs[i]] = pairs[i + 1];
  }

  private earliest(): number {
    let t = Infinity;
    for (const x of this.agenda) if (x < t) t = x;
    return t;
  }
}
