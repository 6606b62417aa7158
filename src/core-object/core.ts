// The Core Durable Object: one simulated core of one simulation, named
// "<simulation>/<core>". It hosts the unchanged kernel through a CoreRuntime and
// takes part in the barrier tree: every operation (boot, window, collect,
// destroy) handles this core and the subtree of cores below it.
//
// Lifecycle:
//   boot      builds the kernel from the simulation's spec and persists it;
//   window    drains the inbox, handles the events before the bound, sends
//             each destination its messages in one batch, waits for them to
//             land, persists, and answers with its report; on a baton
//             (baton.ts) it may then run the next window itself, or start it
//             in the delivery to the one core due in it, which leaves last,
//             after the save;
//   deliver   appends another core's batch to the inbox, durably, and passes
//             on the batches of the destinations below it (a core with
//             messages for more cores than the fan-out sends them down a
//             tree: no object calls more than 2 x fanout others at once);
//             with a handoff, then runs the window it starts;
//   collect   reports clock, counters, hash, results (and trace);
//   destroy   deletes everything.
// State lives in SQLite as a checkpoint and a log, as a database keeps its
// pages and its write-ahead log: every CHECKPOINT_WINDOWS windows the
// runtime's whole state (in content-defined chunks, Store.putChunked), and
// in between only what each window took in: the batches it drained from the
// inbox and its bound. The kernel is deterministic, so the checkpoint with
// the log replayed is the state at the end of the last window, exactly; a
// window saves a few bytes instead of the whole state. The inbox holds one
// row per batch, with the window that drained it (none yet: still to be
// taken), and the trace its own table. An instance caches the live runtime;
// an evicted core is rebuilt from storage on its next call with nothing lost.
// A window asked for again (a reply lost, an invocation retried) is answered
// from its saved report; one that passed the baton on is saved with the batch
// it handed on, which is sent again with the baton. Batches are keyed by
// (source, first sequence), so repeats change nothing.
import { DurableObject } from "cloudflare:workers";
import type { Env } from "../env.ts";
import {
  CoreRuntime,
  type CoreSnapshot,
  type SimEvent,
  type System,
  type TraceRecord,
  type WindowWork,
} from "../engine/index.ts";
import { EXPERIMENTS, type ExperimentSet } from "../experiments/index.ts";
import { BATON_WINDOWS, horizonsOf, passOn, type Pass } from "./baton.ts";
import {
  addCalls,
  firstFailure,
  addStored,
  isFailure,
  NO_CALLS,
  NOTHING_STORED,
  subtreeCalls,
  type Batch,
  type BootSummary,
  type Calls,
  type CollectSummary,
  type CoreInit,
  type CoreApi,
  type CoreOptions,
  type CoreState,
  type Baton,
  type Delivered,
  type Failure,
  type Handoff,
  type PassedWindow,
  type WindowSummary,
} from "./protocol.ts";
import { FaultPlan, InjectedFault, type DeliveryFault } from "./faults.ts";
import { isTransient } from "./lifecycle.ts";
import { coreStub, type CoreStub } from "./stubs.ts";
import { Store } from "./store.ts";
import { MAX_FANOUT, settleAll, subtrees } from "./tree.ts";

/** Who this core is and the last window it handled. */
interface CoreMeta {
  simulation: string;
  core: number;
  options: CoreOptions;
  /** -1 after boot. Cores are called only for windows they have events in. */
  window: number;
  /** Its report, answered again if it is asked for again. */
  report: PassedWindow | null;
  /** The windows handled since the checkpoint, in order, with their bounds: replayed on a load. */
  log: { window: number; bound: number }[];
  /** The length of the whole state at the checkpoint, in characters. */
  size: number;
}

type Identity = Pick<CoreMeta, "simulation" | "core" | "options">;

/** A window as this core handled it, and what its deliveries did: the calls and the windows run on its baton after it. */
interface Handled {
  own: PassedWindow;
  /** Deliveries this core called, and the calls made below them. */
  deliveries: number;
  relayed: Calls;
  passed: PassedWindow[];
  /** A kernel's failure in a window run on the baton. */
  failure: Failure | null;
}

interface Live {
  meta: CoreMeta;
  system: System;
  rt: CoreRuntime;
}

type SavedRuntime = Omit<CoreSnapshot, "trace">;

/** A failed core's own part of a window. */
const NOTHING = { events: 0, messages: 0, next: [] as number[], sent: [] as number[], stored: NOTHING_STORED, deliveries: 0, relayed: NO_CALLS, passed: [] as PassedWindow[] };

const TRACE_BATCH = 2000;

/**
 * Windows between two checkpoints. Saving the whole state costs a
 * serialisation of all of it (most of a window's time when it was saved every
 * window); replaying costs a load at most this many windows' handling.
 */
const CHECKPOINT_WINDOWS = 32;

/** Windows that passed the baton on whose report and handed batch a core keeps: a baton run again reaches back over at most all the windows it ran. */
const RECENT_WINDOWS = BATON_WINDOWS + 1;

/** Tries of one delivery before its window fails. */
const DELIVERY_ATTEMPTS = 4;

/** Faults this core injected (faults.ts), and the last window it was evicted and restarted in, so that each fires once. */
interface FaultRecord {
  injected: number;
  evicted: number;
  restarted: number;
}

const FAULTS = "faults";

export class Core extends DurableObject<Env> implements CoreApi {
  /** The experiments simulations boot from; a test worker adds its own. */
  protected readonly experiments: ExperimentSet = EXPERIMENTS;
  private readonly store: Store;
  /** The booted core while this instance lives; null until loaded, or after a failed window. */
  private live: Live | null = null;
  /** Who this core is, once read: fixed at boot. */
  private known: Identity | null = null;
  /** The inbox's batches not yet taken, in order, as storage has them; null until read (once per instance). */
  private inbox: { id: number; events: SimEvent[] }[] | null = null;
  /** The window being handled, so a repeated call waits for it instead of running it twice. */
  private handling: { window: number; done: Promise<Handled | Failure> } | null = null;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.store = new Store(ctx.storage);
    this.store.sql.exec(`
      CREATE TABLE IF NOT EXISTS batch (
        id INTEGER PRIMARY KEY AUTOINCREMENT, src INTEGER NOT NULL, seq INTEGER NOT NULL, n INTEGER NOT NULL, events TEXT NOT NULL,
        window INTEGER, UNIQUE (src, seq));
      CREATE TABLE IF NOT EXISTS recent (window INTEGER PRIMARY KEY, report TEXT NOT NULL, handed TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS trace (id INTEGER PRIMARY KEY AUTOINCREMENT, records TEXT NOT NULL);`);
  }

  async boot(init: CoreInit, tree: number[]): Promise<BootSummary> {
    const [self, ...below] = tree;
    const trees = subtrees(below, init.options.fanout);
    const [own, sums] = await this.withSubtrees(
      () => this.bootSelf(init, self),
      trees.map((t) => this.peer(init.simulation, t[0]).boot(init, t)),
    );
    const failed = isFailure(own);
    return {
      next: [...(failed ? [] : [self, own.next]), ...sums.flatMap((s) => s.next)],
      failure: firstFailure([failed ? own : null, ...sums.map((s) => s.failure)]),
      calls: subtreeCalls(trees.length, 0, sums.map((s) => s.calls)),
    };
  }

  /** Handle window `window`: each core of the subtree its events before its bound (`bounds`, in the tree's order). */
  async window(window: number, bounds: number[], tree: number[], baton: Baton | null = null): Promise<WindowSummary> {
    const { meta } = this.load(tree[0]);
    if (baton && tree.length > 1) throw new RangeError("a baton goes to a window with one core due");
    const trees = subtrees(tree.slice(1), meta.options.fanout);
    const treeBounds = subtrees(bounds.slice(1), meta.options.fanout);
    const [own, sums] = await this.withSubtrees(
      () => this.handleOnce(window, bounds[0], baton),
      trees.map((t, i) => this.peer(meta.simulation, t[0]).window(window, treeBounds[i], t)),
    );
    const mine = isFailure(own)
      ? { ...NOTHING, failure: own }
      : { ...own.own, next: [meta.core, own.own.next], deliveries: own.deliveries, relayed: own.relayed, passed: own.passed, failure: own.failure };
    return {
      events: sums.reduce((n, s) => n + s.events, mine.events),
      messages: sums.reduce((n, s) => n + s.messages, mine.messages),
      next: [...mine.next, ...sums.flatMap((s) => s.next)],
      sent: [...mine.sent, ...sums.flatMap((s) => s.sent)],
      stored: sums.reduce((t, s) => addStored(t, s.stored), mine.stored),
      passed: mine.passed,
      failure: firstFailure([mine.failure, ...sums.map((s) => s.failure)]),
      calls: subtreeCalls(trees.length, mine.deliveries, [mine.relayed, ...sums.map((s) => s.calls)]),
    };
  }

  /**
   * Another core's messages of a window, arriving after it: `batches[0]` is
   * this core's; the rest, for cores above this one, are passed on. It may
   * come more than once (a retried delivery, a sender's window run again):
   * the inbox is keyed by (source, sequence). `fault` makes it fail, before
   * the messages land or after. `handoff`: a window on a baton (baton.ts)
   * that this core runs once the batches have landed; its answer carries
   * the windows run on it.
   */
  async deliver(batches: Batch[], fault: DeliveryFault = null, handoff: Handoff | null = null): Promise<Delivered> {
    const [{ core, events }] = batches;
    if (fault === "before") throw new InjectedFault(`a delivery to core ${core} failed before it landed`);
    // A batch is one sender's messages of one window: its first sequence number names it.
    const [row] = this.store.sql
      .exec<{ id: number }>("INSERT OR IGNORE INTO batch (src, seq, n, events) VALUES (?, ?, ?, ?) RETURNING id", events[0].src, events[0].seq, events.length, JSON.stringify(events))
      .toArray();
    if (row) this.inbox?.push({ id: row.id, events });
    if (fault === "after") throw new InjectedFault(`a delivery to core ${core} landed, and its answer was lost`);
    const { simulation, options } = this.identity();
    const relayed = batches.length > 1 ? await this.send(simulation, batches.slice(1), options.fanout, null) : { roots: 0, calls: NO_CALLS };
    if (!handoff) return { calls: subtreeCalls(0, relayed.roots, [relayed.calls]), passed: [], failure: null };
    // The window this delivery starts, once its messages (and those passed on) have landed.
    const h = await this.handleOnce(handoff.window, handoff.bound, handoff.baton);
    if (isFailure(h)) return { calls: subtreeCalls(0, relayed.roots, [relayed.calls]), passed: [], failure: h };
    return { calls: subtreeCalls(0, relayed.roots + h.deliveries, [relayed.calls, h.relayed]), passed: [h.own, ...h.passed], failure: h.failure };
  }

  async collect(tree: number[]): Promise<CollectSummary> {
    const { meta, rt } = this.load(tree[0]);
    const trees = subtrees(tree.slice(1), meta.options.fanout);
    const [, sums] = await this.withSubtrees(
      () => undefined,
      trees.map((t) => this.peer(meta.simulation, t[0]).collect(t)),
    );
    const report = {
      core: meta.core,
      clock: rt.clock,
      events: rt.events,
      messages: rt.messages,
      pending: rt.pending + this.inboxSize(),
      hash: rt.hash,
      result: rt.kernel.result(),
      channels: rt.channels.counts(),
    };
    const traces = meta.options.trace ? [{ core: meta.core, records: this.readTrace() }, ...sums.flatMap((s) => s.traces ?? [])] : null;
    return {
      cores: [report, ...sums.flatMap((s) => s.cores)],
      traces,
      faults: sums.reduce((n, s) => n + s.faults, this.faults().injected),
      calls: subtreeCalls(trees.length, 0, sums.map((s) => s.calls)),
    };
  }

  /** This core as the API shows it. */
  state(): CoreState {
    const { meta, rt } = this.load();
    const next = rt.nextTime();
    const kernel = rt.kernel;
    return {
      simulation: meta.simulation,
      core: meta.core,
      window: meta.window,
      clock: rt.clock,
      next: Number.isFinite(next) ? next : null,
      pending: rt.pending + this.inboxSize(),
      events: rt.events,
      messages: rt.messages,
      hash: rt.hash,
      kernel: kernel.summary ? kernel.summary() : kernel.snapshot(),
    };
  }

  /** Delete this core and its subtree, for a simulation's expiry. Cores that never booted are skipped over. */
  async destroy(simulation: string, tree: number[]): Promise<void> {
    const fanout = this.live?.meta.options.fanout ?? this.store.get<CoreMeta>("meta")?.options.fanout ?? MAX_FANOUT;
    const trees = subtrees(tree.slice(1), fanout);
    await this.withSubtrees(
      () => undefined,
      trees.map((t) => this.peer(simulation, t[0]).destroy(simulation, t)),
    );
    this.live = null;
    this.known = null;
    this.inbox = null;
    await this.ctx.storage.deleteAll();
  }

  private peer(simulation: string, core: number): CoreStub {
    return coreStub(this.env.CORE, simulation, core);
  }

  /**
   * This core's part of an operation, and its subtrees' in parallel. Waits
   * for all of them even when one fails, then fails with the first error.
   */
  private async withSubtrees<T, S>(own: () => T | Promise<T>, below: Promise<S>[]): Promise<[T, S[]]> {
    const [mine, ...theirs] = await settleAll<unknown>([Promise.resolve().then(own), ...below]);
    return [mine as T, theirs as S[]];
  }

  private bootSelf(init: CoreInit, core: number): { next: number } | Failure {
    if (this.store.get<CoreMeta>("meta")) return { next: this.load(core).rt.nextTime() };
    let system: System;
    let rt: CoreRuntime;
    try {
      system = this.experiments.systemOfText(init.spec);
      if (!(Number.isInteger(core) && core >= 0 && core < system.cores)) throw new RangeError(`the simulation has ${system.cores} cores`);
      rt = CoreRuntime.boot(core, system.boot(core), system.initial(core), system.lookahead, system.cores, init.options.trace);
    } catch (e) {
      return { core, message: errorMessage(e) };
    }
    const live: Live = { meta: { simulation: init.simulation, core, options: init.options, window: -1, report: null, log: [], size: 0 }, system, rt };
    // The core counts as booted once its meta is saved, after the spec.
    this.store.putText("spec", init.spec);
    this.save(live, 0, true, null);
    this.live = live;
    return { next: rt.nextTime() };
  }

  /** Who this core is: fixed at boot, so read from storage once per instance. */
  private identity(): Identity {
    this.known ??= this.live?.meta ?? this.store.get<CoreMeta>("meta") ?? null;
    if (!this.known) throw new Error("core not booted");
    return this.known;
  }

  /** The live core: the cached one, else rebuilt from storage. */
  private load(expected?: number): Live {
    if (!this.live) {
      const meta = this.store.get<CoreMeta>("meta");
      if (!meta) throw new Error(`core ${expected ?? "?"}: not booted`);
      const stored = this.store.getChunked<SavedRuntime>("snapshot")!;
      const system = this.experiments.systemOfText(this.store.getText("spec")!);
      const snapshot: CoreSnapshot = { ...stored, trace: meta.options.trace ? [] : null };
      const rt = CoreRuntime.restore(snapshot, system.restore(meta.core, stored.kernel), system.lookahead, system.cores);
      // The windows since the checkpoint, again: the same batches and bounds give the same state. What they sent has landed, and their trace is stored.
      for (const { window, bound } of meta.log) {
        this.take(rt, this.batches("window = ?", window));
        rt.process(bound, () => {});
      }
      if (rt.trace) rt.trace.length = 0;
      this.live = { meta, system, rt };
    }
    if (expected !== undefined && expected !== this.live.meta.core) {
      throw new Error(`core ${this.live.meta.core} of simulation ${this.live.meta.simulation} was called as core ${expected}`);
    }
    return this.live;
  }

  private handleOnce(window: number, bound: number, baton: Baton | null): Promise<Handled | Failure> {
    if (this.handling?.window === window) return this.handling.done;
    const done = this.handle(window, bound, baton).finally(() => {
      if (this.handling?.done === done) this.handling = null;
    });
    this.handling = { window, done };
    return done;
  }

  private async handle(window: number, bound: number, baton: Baton | null): Promise<Handled | Failure> {
    const plan = this.faultPlan();
    if (plan?.evict(this.identity().core, window) && this.faults().evicted < window) {
      // As the platform evicts an object: the next load() rebuilds it from storage.
      this.live = null;
      const faults = this.faults();
      this.store.put(FAULTS, { ...faults, injected: faults.injected + 1, evicted: window });
    }
    const live = this.load();
    if (window <= live.meta.window) return this.again(live, window, baton);
    try {
      return await this.handleNew(live, window, bound, baton, plan);
    } catch (e) {
      // The live runtime may be ahead of storage: it is dropped, and the next call starts again from storage.
      this.live = null;
      throw e;
    }
  }

  /**
   * A window handled already (a reply lost, an invocation retried): its
   * messages landed before it was saved, but for the one that carried its
   * baton on, which is sent again, and the baton passed on as before. A
   * window older than the last is asked for only by a baton run again.
   */
  private again({ meta, system }: Live, window: number, baton: Baton | null): Promise<Handled> | Handled {
    const saved = baton ? this.recent(window) : null;
    if (saved) return this.passBaton(window, saved.report, passOn(baton!, horizonsOf(system, baton!.rule), saved.report), saved.handed, { roots: 0, calls: NO_CALLS });
    if (window === meta.window) return { own: meta.report!, deliveries: 0, relayed: NO_CALLS, passed: [], failure: null };
    throw new Error(`core ${meta.core}: asked for window ${window} after window ${meta.window}`);
  }

  /**
   * A new window: its events handled, its messages landed, then saved. On a
   * baton passed on in a delivery, that delivery leaves after the save: the
   * baton may come back to this core (a message, its answer) before the
   * call that carries it returns.
   */
  private async handleNew(live: Live, window: number, bound: number, baton: Baton | null, plan: FaultPlan | null): Promise<Handled | Failure> {
    const { meta, rt, system } = live;
    const drained = this.take(rt, (this.inbox ??= this.batches("window IS NULL")));
    const byCore = new Map<number, SimEvent[]>();
    let work: WindowWork;
    try {
      work = rt.process(bound, (dst, e) => {
        const batch = byCore.get(dst);
        if (batch) batch.push(e);
        else byCore.set(dst, [e]);
      });
    } catch (e) {
      this.live = null;
      return { core: meta.core, message: errorMessage(e) };
    }
    const sent: number[] = [];
    const batches: Batch[] = [];
    for (const [core, events] of [...byCore].sort((a, b) => a[0] - b[0])) {
      sent.push(core, events.reduce((t, e) => Math.min(t, e.time), Infinity));
      batches.push({ core, events });
    }
    const report: PassedWindow = { core: meta.core, events: work.events, messages: work.messages, next: rt.nextTime(), sent, stored: NOTHING_STORED };
    const pass = baton && passOn(baton, horizonsOf(system, baton.rule), report);
    const handed = pass && pass.core !== meta.core ? batches.find((b) => b.core === pass.core)! : null;
    // The barrier completes only once every message of the window has landed; all of them but the handed one before the save.
    const delivered = await this.send(meta.simulation, handed ? batches.filter((b) => b !== handed) : batches, meta.options.fanout, window);
    if (plan?.restart(meta.core, window) && this.faults().restarted < window) {
      // As the platform resets an object: its memory goes before it saves (handle() drops it), and the call fails; the window is run again from storage.
      // (Not ctx.abort() itself, which wrangler dev 4.116 takes for a fatal error and exits on.) Recorded, so that it fires once.
      const f = this.faults();
      this.store.put(FAULTS, { ...f, injected: f.injected + 1, restarted: window });
      throw new InjectedFault(`core ${meta.core} restarted in window ${window}, before it saved`);
    }
    live.meta = { ...meta, window, report, log: [...meta.log, { window, bound }] };
    this.save(live, drained, live.meta.log.length >= CHECKPOINT_WINDOWS, pass ? { handed } : null);
    return this.passBaton(window, report, pass, handed, delivered);
  }

  /** The baton passed on after a saved window, if it goes on: in the delivery of the handed batch, or to this core's next window. */
  private async passBaton(window: number, report: PassedWindow, pass: Pass | null, handed: Batch | null, delivered: { roots: number; calls: Calls }): Promise<Handled> {
    const done: Handled = { own: report, deliveries: delivered.roots, relayed: delivered.calls, passed: [], failure: null };
    if (!pass) return done;
    const handoff: Handoff = { window: window + 1, bound: pass.bound, baton: pass.baton };
    if (handed) {
      const d = await this.deliverTo(this.identity().simulation, [handed], window, handoff);
      return { ...done, deliveries: done.deliveries + 1, relayed: addCalls(done.relayed, d.calls), passed: d.passed, failure: d.failure };
    }
    const h = await this.handleOnce(handoff.window, handoff.bound, handoff.baton);
    if (isFailure(h)) return { ...done, failure: h };
    return { ...done, deliveries: done.deliveries + h.deliveries, relayed: addCalls(done.relayed, h.relayed), passed: [h.own, ...h.passed], failure: h.failure };
  }

  /** A window that passed its baton on, as saved: its report and the batch its delivery carried; null when it passed none or is older than the windows kept. */
  private recent(window: number): { report: PassedWindow; handed: Batch | null } | null {
    const [row] = this.store.sql.exec<{ report: string; handed: string }>("SELECT report, handed FROM recent WHERE window = ?", window).toArray();
    if (!row) return null;
    // JSON has no Infinity: a core with nothing pending was saved with next null.
    const report = JSON.parse(row.report) as Omit<PassedWindow, "next"> & { next: number | null };
    return { report: { ...report, next: report.next ?? Infinity }, handed: JSON.parse(row.handed) as Batch | null };
  }

  /**
   * Deliver batches (in core order) through a tree over their cores: the
   * calls made here, and below. `window`: the window they were sent in,
   * where faults may be injected; null for batches passed on.
   */
  private async send(simulation: string, batches: Batch[], fanout: number, window: number | null): Promise<{ roots: number; calls: Calls }> {
    const trees = subtrees(batches, fanout);
    const below = await settleAll(trees.map((t) => this.deliverTo(simulation, t, window)));
    return { roots: trees.length, calls: below.map((d) => d.calls).reduce(addCalls, NO_CALLS) };
  }

  /** One delivery, retried after a transient failure (deliveries are idempotent); with the faults the plan puts on it. */
  private async deliverTo(simulation: string, tree: Batch[], window: number | null, handoff: Handoff | null = null): Promise<Delivered> {
    const plan = window === null ? null : this.faultPlan();
    const self = this.identity().core;
    const dst = tree[0].core;
    const fault = plan?.failDelivery(self, dst, window!) ?? null;
    const twice = plan?.duplicate(self, dst, window!) ?? false;
    if (fault || twice) this.countFaults((fault ? 1 : 0) + (twice ? 1 : 0));
    for (let attempt = 0; ; attempt++) {
      try {
        // A duplicate goes first: the window a handoff starts may send this core its next batch.
        if (twice) await this.peer(simulation, dst).deliver(tree);
        return await this.peer(simulation, dst).deliver(tree, attempt === 0 ? fault : null, handoff);
      } catch (e) {
        if (!isTransient(e) || attempt + 1 >= DELIVERY_ATTEMPTS) throw e;
        await new Promise((r) => setTimeout(r, 10 * 2 ** attempt));
      }
    }
  }

  private faultPlan(): FaultPlan | null {
    const faults = this.identity().options.faults;
    return faults ? new FaultPlan(faults) : null;
  }

  private faults(): FaultRecord {
    return this.store.get<FaultRecord>(FAULTS) ?? { injected: 0, evicted: -1, restarted: -1 };
  }

  private countFaults(n: number): void {
    const f = this.faults();
    this.store.put(FAULTS, { ...f, injected: f.injected + n });
  }

  /**
   * Move batches of the inbox into the queue (those not yet taken, or those a
   * logged window took, to replay it); returns the last one's id. A message
   * its channel is already past was delivered before: a sender whose window
   * was run again (it restarted, or a reply was lost) sends its batch again,
   * after this core may have taken the first copy and checkpointed it away,
   * so that the inbox's key can no longer recognise it.
   */
  private take(rt: CoreRuntime, batches: { id: number; events: SimEvent[] }[]): number {
    let last = 0;
    for (const { id, events } of batches) {
      for (const e of events) if (!rt.channels.delivered(e.src, e.seq)) rt.deliver(e);
      last = id;
    }
    return last;
  }

  private batches(which: "window IS NULL" | "window = ?", ...args: number[]): { id: number; events: SimEvent[] }[] {
    return this.store.sql
      .exec<{ id: number; events: string }>(`SELECT id, events FROM batch WHERE ${which} ORDER BY id`, ...args)
      .toArray()
      .map((r) => ({ id: r.id, events: JSON.parse(r.events) as SimEvent[] }));
  }

  private inboxSize(): number {
    if (this.inbox) return this.inbox.reduce((n, b) => n + b.events.length, 0);
    return this.store.sql.exec<{ n: number }>("SELECT coalesce(sum(n), 0) AS n FROM batch WHERE window IS NULL").one().n;
  }

  /**
   * A window's end as one write: the batches it drained marked with it and
   * it added to the log, or at a checkpoint the whole state, with the log and
   * its batches dropped; for a window that passes its baton on, its report
   * and the batch handed on, kept for RECENT_WINDOWS windows; the trace so far. The report says what
   * the state's save wrote.
   */
  private save(live: Live, drained: number, checkpoint: boolean, passed: { handed: Batch | null } | null): void {
    const { meta, rt } = live;
    this.store.atomically(() => {
      let written = 0;
      if (checkpoint) {
        const { trace: _, ...state } = rt.snapshot();
        const saved = this.store.putChunked("snapshot", state);
        this.store.sql.exec("DELETE FROM batch WHERE window IS NOT NULL OR id <= ?", drained);
        // Here, not every window: between checkpoints the table grows by at most CHECKPOINT_WINDOWS rows.
        this.store.sql.exec("DELETE FROM recent WHERE window <= ?", meta.window - RECENT_WINDOWS);
        meta.log = [];
        meta.size = saved.size;
        written = saved.written;
      } else if (drained > 0) {
        this.store.sql.exec("UPDATE batch SET window = ? WHERE window IS NULL AND id <= ?", meta.window, drained);
      }
      if (meta.report) meta.report.stored = { written, whole: meta.size };
      if (passed) this.store.sql.exec("INSERT OR REPLACE INTO recent (window, report, handed) VALUES (?, ?, ?)", meta.window, JSON.stringify(meta.report), JSON.stringify(passed.handed));
      this.store.put("meta", meta);
      const trace = rt.trace;
      for (let i = 0; trace && i < trace.length; i += TRACE_BATCH) {
        this.store.sql.exec("INSERT INTO trace (records) VALUES (?)", JSON.stringify(trace.slice(i, i + TRACE_BATCH)));
      }
    });
    // The records are in storage now; the runtime keeps appending to the same array.
    if (rt.trace) rt.trace.length = 0;
    if (this.inbox && drained > 0) this.inbox = this.inbox.filter((b) => b.id > drained);
  }

  private readTrace(): TraceRecord[] {
    return this.store.sql
      .exec<{ records: string }>("SELECT records FROM trace ORDER BY id")
      .toArray()
      .flatMap((r) => JSON.parse(r.records) as TraceRecord[]);
  }
}

const errorMessage = (e: unknown): string => (e instanceof Error ? e.message : String(e));
