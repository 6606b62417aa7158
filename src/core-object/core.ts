// The Core Durable Object: one simulated core of one simulation, named
// "<simulation>/<core>". It hosts the unchanged kernel through a CoreRuntime and
// takes part in the barrier tree: every operation (boot, window, commit, roll
// back, collect, destroy) handles this core and the subtree of cores below it.
//
// Lifecycle:
//   boot      builds the kernel from the simulation's spec and persists it;
//   window    drains the inbox, handles the events before the bound, sends
//             each destination its messages in one batch, waits for them to
//             land, logs it, and answers with its report; on a baton
//             (baton.ts) it then starts the next window: the cores due in
//             it that its messages go to in those deliveries (they leave
//             last, after it is logged), the others by a call, itself by
//             running it; the baton goes with the one core due, or stays
//             here while several are, until their windows return;
//   deliver   appends another core's batch to the inbox, and passes
//             on the batches of the destinations below it (a core with
//             messages for more cores than the fan-out sends them down a
//             tree, and starts at most fan-out cores in their deliveries:
//             no object calls more than 2 x fanout others at once); with a
//             handoff, then runs the window it starts;
//   commit    writes what the windows since the last commit did (below);
//   roll back forgets it, for a core that lost it made every core do so;
//   collect   commits, and reports clock, counters, hash, results (and trace);
//   destroy   deletes everything.
// State lives in SQLite as a checkpoint and a log, as a database keeps its
// pages and its write-ahead log: every CHECKPOINT_WINDOWS windows the
// runtime's whole state (in content-defined chunks, Store.putChunked; none
// at boot, where the spec rebuilds it), and in between only what each
// window took in: its row in the log (bound, report, and the last batch of
// the inbox it took). The kernel is deterministic, so the checkpoint with
// the log replayed is the state at the end of the last window, exactly. The
// inbox holds one row per batch, in the order they arrived; a window takes
// all those not yet taken, so the log's last batch taken says which are.
// The trace has its own table.
// The rows are written by group commit: a window's row, a batch delivered
// and the trace wait in memory until the Simulation has every core it
// touched commit them together, every COMMIT_WINDOWS windows, and saves its
// loop after them (a commit per window and per delivery cost 2.6 SQLite
// commits a message). The first change after a commit writes a mark, so a
// core rebuilt from storage knows whether it lost any: it then refuses every
// call until the Simulation has every core roll back to the last commit,
// where the loop it saved stands, and runs the windows since again. An
// instance caches the live runtime; a core evicted with nothing uncommitted
// is rebuilt from storage with nothing lost. A window asked for again (a
// reply lost, an invocation retried, a Simulation run again from the loop
// it saved) is answered from its row in the log; one that passed the baton
// on keeps there the batches that started the next window, which are sent
// again with the baton. Batches are keyed by (source, first sequence), so
// repeats change nothing.
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
import { BATON_WINDOWS, horizonsOf, passOn, startsOf, type Pass } from "./baton.ts";
import {
  addCalls,
  firstFailure,
  addStored,
  isFailure,
  NO_CALLS,
  NOTHING_STORED,
  COMMIT_WINDOWS,
  LOST,
  subtreeCalls,
  type Batch,
  type BootSummary,
  type Calls,
  type CollectSummary,
  type CommitSummary,
  type CoreInit,
  type CoreApi,
  type CoreOptions,
  type CoreState,
  type Baton,
  type Delivered,
  type Failure,
  type Handoff,
  type CoreWindow,
  type WindowPart,
  type WindowSummary,
} from "./protocol.ts";
import { FaultPlan, InjectedFault, type DeliveryFault } from "./faults.ts";
import { CoreStubs } from "./stubs.ts";
import { Store } from "./store.ts";
import { MAX_FANOUT, settleAll, subtrees } from "./tree.ts";

/** Who this core is, and its checkpoint: written at boot and at each checkpoint only. */
interface CoreMeta {
  simulation: string;
  core: number;
  options: CoreOptions;
  /** The last window the checkpoint's state includes; -1 for the state at boot. */
  checkpoint: number;
  /** The length of the whole state at the checkpoint, in characters. */
  size: number;
  /** The last batch of the inbox the checkpoint's state took (0: none). */
  taken: number;
}

type Identity = Pick<CoreMeta, "simulation" | "core" | "options">;

/** The last window this core handled: -1 after boot (cores are called only for windows they have events in). */
interface LastWindow {
  window: number;
  /** Windows handled since the checkpoint: replayed on a load. */
  since: number;
  /** The last batch of the inbox taken so far (0: none); the inbox is the batches after it. */
  taken: number;
}

/** A window as this core handled it, and what its deliveries did: the calls, and the windows run on its baton after it. */
interface Handled {
  own: CoreWindow;
  /** The parts of the other cores due in the window, when this core held the baton and started them. */
  group: WindowPart[];
  /** The deliveries this core made in the window (those that start the next window's cores among them), and the calls made below them. */
  delivered: Sent;
  /** The deliveries that started this window's other cores, made in the window before, where the caller counts them. */
  started: Sent;
  /** The calls of the windows run on the baton after this one, from this core down. */
  later: Calls;
  /** The windows run on the baton after this one, each in its parts. */
  passed: WindowPart[][];
  /** A kernel's failure in a window run on the baton. */
  failure: Failure | null;
}

interface Live {
  meta: CoreMeta;
  last: LastWindow;
  system: System;
  rt: CoreRuntime;
}

type SavedRuntime = Omit<CoreSnapshot, "trace">;


/** Deliveries made, as `send` counts them: the calls this core made, and those made below them. */
interface Sent {
  roots: number;
  calls: Calls;
}

const NOT_SENT: Sent = { roots: 0, calls: NO_CALLS };

const addSent = (a: Sent, b: Sent): Sent => ({ roots: a.roots + b.roots, calls: addCalls(a.calls, b.calls) });

/** A window run on a baton as the windows its caller reports: its own, then those run after it. */
const chain = (h: Handled): WindowPart[][] => [[partOf(h.own), ...h.group], ...h.passed];

/** The other cores' parts of a window, and the calls that started them. */
interface Others {
  parts: WindowPart[];
  sent: Sent;
}

/** A core's report as a part of its window. */
const partOf = (r: CoreWindow): WindowPart => ({ events: r.events, messages: r.messages, next: [r.core, r.next], sent: r.sent, stored: r.stored });

/** Another core's part of a window this core holds the baton of, as the call that started it answered. */
interface Member {
  part: WindowPart;
  calls: Calls;
  failure: Failure | null;
}

/** The windows a holder of the baton started from where it is, and the calls it made to start the first. */
interface Held {
  passed: WindowPart[][];
  starting: Sent;
  later: Calls;
  failure: Failure | null;
}

/** A subtree's summary of a window as a part of it. */
const partOfSummary = (s: WindowSummary): WindowPart => ({ events: s.events, messages: s.messages, next: s.next, sent: s.sent, stored: s.stored });

/** A window started by a call through the barrier tree, as the holder of its baton takes it in. */
const memberOfSummary = (s: WindowSummary): Member => ({ part: partOfSummary(s), calls: s.calls, failure: s.failure });

/** A window started in a delivery, as the holder of its baton takes it in: one core's part (none when it failed). */
const memberOf = (d: Delivered): Member => ({ part: d.passed[0]?.[0] ?? NO_PART, calls: d.calls, failure: d.failure });

const NO_PART: WindowPart = { events: 0, messages: 0, next: [], sent: [], stored: NOTHING_STORED };

/** A window started by a call with the baton, as the windows it ran. */
const answered = (s: WindowSummary): Delivered => ({ passed: [[partOfSummary(s)], ...s.passed], calls: s.calls, failure: s.failure });

/** Parts of one window as one. */
const joined = (parts: WindowPart[]): WindowPart => ({
  events: parts.reduce((n, p) => n + p.events, 0),
  messages: parts.reduce((n, p) => n + p.messages, 0),
  next: parts.flatMap((p) => p.next),
  sent: parts.flatMap((p) => p.sent),
  stored: parts.reduce((t, p) => addStored(t, p.stored), NOTHING_STORED),
});

/** A window its core held the baton of, as the windows run from it: its own part and those of the cores it started, then the windows after. */
function heldSummary(h: Handled | Failure): WindowSummary {
  if (isFailure(h)) return { ...NO_PART, passed: [], failure: h, calls: NO_CALLS };
  return {
    ...joined([partOf(h.own), ...h.group]),
    passed: h.passed,
    failure: h.failure,
    // The barrier's calls end before this core's window starts, and its deliveries: one after the other, never at once.
    calls: [subtreeCalls(h.started.roots, 0, [h.started.calls]), callsOf(h)].reduce(addCalls),
  };
}

/** The calls of a window run on a baton and of those after it, from its core down. */
const callsOf = (h: Handled): Calls => addCalls(subtreeCalls(0, h.delivered.roots, [h.delivered.calls]), h.later);

const TRACE_BATCH = 2000;

/**
 * Windows between two checkpoints. Saving the whole state costs a
 * serialisation and chunking of all of it and a dozen rows (measured: a
 * checkpoint every 32 windows and one at boot cost the default shootdown
 * sweep 9% more of workerd's CPU time than every 128 and none at boot);
 * replaying costs a load at most this many windows' handling (microseconds
 * each, as in-process) and their rows of the log and the inbox.
 */
const CHECKPOINT_WINDOWS = 128;

/**
 * Windows before the checkpoint whose log rows a core keeps: a baton run
 * again reaches back over at most all the windows it ran, and a Simulation
 * run again from its saved loop over at most COMMIT_WINDOWS and a baton's
 * (it saves its loop after the cores commit); both ask for the windows'
 * reports and handed batches.
 */
const RECENT_WINDOWS = COMMIT_WINDOWS + BATON_WINDOWS + 1;

/** A window's row of the log, as stored. */
type LogRow = {
  window: number;
  bound: number;
  taken: number;
  report: string;
  handed: string | null;
};

/** A batch of the inbox, as stored: ids grow in the order batches arrived. */
interface BatchRow {
  id: number;
  events: SimEvent[];
}

/** What this core did since the last commit, not yet written. */
interface Uncommitted {
  batches: BatchRow[];
  log: Map<number, LogRow>;
  trace: TraceRecord[][];
}

const nothingUncommitted = (): Uncommitted => ({ batches: [], log: new Map(), trace: [] });

/** A batch's key: one sender's messages of one window, named by the sender and its first sequence number. */
const batchKey = (src: number, seq: number): string => `${src}:${seq}`;

/** The mark a core writes with its first change after a commit, and deletes when it commits or rolls back. */
const CHANGED = "changed";

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
  /** Stubs of the other cores, once this core called one. */
  private stubs: CoreStubs | null = null;
  /** The window being handled, so a repeated call waits for it instead of running it twice. */
  private handling: { window: number; done: Promise<Handled | Failure> } | null = null;
  /** What this core did since the last commit, until it commits. */
  private uncommitted = nothingUncommitted();
  /** The batches in the inbox, in storage or not, by key, with their ids; the largest id given out. Read from storage once per instance. */
  private inboxIds: { ids: Map<string, number>; last: number } | null = null;
  /** Whether storage holds this core's mark of a change since the last commit, written by this instance. */
  private marked = false;
  /** Whether this instance holds every change since the last commit: checked once against storage's mark. */
  private intact = false;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.store = new Store(ctx.storage);
    this.store.sql.exec(`
      CREATE TABLE IF NOT EXISTS batch (
        id INTEGER PRIMARY KEY, src INTEGER NOT NULL, seq INTEGER NOT NULL, n INTEGER NOT NULL, events TEXT NOT NULL,
        UNIQUE (src, seq));
      CREATE TABLE IF NOT EXISTS log (window INTEGER PRIMARY KEY, bound REAL NOT NULL, taken INTEGER NOT NULL, report TEXT NOT NULL, handed TEXT);
      CREATE TABLE IF NOT EXISTS trace (id INTEGER PRIMARY KEY AUTOINCREMENT, records TEXT NOT NULL);`);
  }

  async boot(init: CoreInit, tree: number[]): Promise<BootSummary> {
    const [self, ...below] = tree;
    const trees = subtrees(below, init.options.fanout);
    const [own, sums] = await this.withSubtrees(
      () => this.bootSelf(init, self),
      trees.map((t) => this.peers(init.simulation).call(t[0], (c) => c.boot(init, t))),
    );
    const failed = isFailure(own);
    return {
      next: [...(failed ? [] : [self, own.next]), ...sums.flatMap((s) => s.next)],
      failure: firstFailure([failed ? own : null, ...sums.map((s) => s.failure)]),
      calls: subtreeCalls(trees.length, 0, sums.map((s) => s.calls)),
    };
  }

  /**
   * Handle window `window`: each core of the subtree its events before its
   * bound (`bounds`, in the tree's order). With the baton, this core holds
   * it: the others' windows first, then its own, and it goes on from the
   * whole window (baton.ts).
   */
  async window(window: number, bounds: number[], tree: number[], baton: Baton | null = null): Promise<WindowSummary> {
    const { meta } = this.load(tree[0]);
    const trees = subtrees(tree.slice(1), meta.options.fanout);
    const treeBounds = subtrees(bounds.slice(1), meta.options.fanout);
    const below = trees.map((t, i) => this.peers(meta.simulation).call(t[0], (c) => c.window(window, treeBounds[i], t)));
    if (baton) {
      // A window asked for again while it runs waits for the first ask's members: these calls (answered from the others' logs) are then left to fail or not.
      for (const p of below) p.catch(() => {});
      return heldSummary(await this.handleOnce(window, bounds[0], baton, below.map((p) => p.then(memberOfSummary))));
    }
    // Without the baton, this core's window and its subtrees' run at once.
    const [own, sums] = await this.withSubtrees(() => this.handleOnce(window, bounds[0], null, []), below);
    if (isFailure(own)) return { ...joined(sums.map(partOfSummary)), passed: [], failure: own, calls: subtreeCalls(trees.length, 0, sums.map((s) => s.calls)) };
    return {
      ...joined([partOf(own.own), ...sums.map(partOfSummary)]),
      passed: own.passed,
      failure: firstFailure([own.failure, ...sums.map((s) => s.failure)]),
      calls: addCalls(subtreeCalls(trees.length, own.delivered.roots, [own.delivered.calls, ...sums.map((s) => s.calls)]), own.later),
    };
  }

  /**
   * Another core's messages of a window, arriving after it: `batches[0]` is
   * this core's; the rest, for cores above this one, are passed on. It may
   * come more than once (a retried delivery, a sender's window run again):
   * the inbox is keyed by (source, sequence). `fault` makes it fail, before
   * the messages land or after. `handoff`: a window (baton.ts) that this
   * core runs once the batches have landed, holding the baton after it or
   * not; its answer carries the windows run from it.
   */
  async deliver(batches: Batch[], fault: DeliveryFault = null, handoff: Handoff | null = null): Promise<Delivered> {
    const [{ core, events }] = batches;
    if (fault === "before") throw new InjectedFault(`a delivery to core ${core} failed before it landed`);
    this.checkIntact();
    this.receive(events);
    if (fault === "after") throw new InjectedFault(`a delivery to core ${core} landed, and its answer was lost`);
    const { simulation, options } = this.identity();
    const relayed = batches.length > 1 ? await this.send(simulation, batches.slice(1), options.fanout, null) : NOT_SENT;
    if (!handoff) return { calls: subtreeCalls(0, relayed.roots, [relayed.calls]), passed: [], failure: null };
    // The window this delivery starts, once its messages (and those passed on) have landed.
    const h = await this.handleOnce(handoff.window, handoff.bound, handoff.baton, []);
    if (isFailure(h)) return { calls: subtreeCalls(0, relayed.roots, [relayed.calls]), passed: [], failure: h };
    return { calls: addCalls(subtreeCalls(0, relayed.roots + h.delivered.roots, [relayed.calls, h.delivered.calls]), h.later), passed: chain(h), failure: h.failure };
  }

  async collect(tree: number[]): Promise<CollectSummary> {
    const { meta, last, rt } = this.load(tree[0]);
    const trees = subtrees(tree.slice(1), meta.options.fanout);
    // The run is over: what the cores did since the last commit is committed with their reports.
    const [, sums] = await this.withSubtrees(
      () => this.commitOwn(),
      trees.map((t) => this.peers(meta.simulation).call(t[0], (c) => c.collect(t))),
    );
    const report = {
      core: meta.core,
      clock: rt.clock,
      events: rt.events,
      messages: rt.messages,
      pending: rt.pending + this.inboxSize(last.taken),
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

  async commit(tree: number[]): Promise<CommitSummary> {
    const { meta } = this.load(tree[0]);
    const trees = subtrees(tree.slice(1), meta.options.fanout);
    const [written, sums] = await this.withSubtrees(
      () => this.commitOwn(),
      trees.map((t) => this.peers(meta.simulation).call(t[0], (c) => c.commit(t))),
    );
    return { written: sums.reduce((n, s) => n + s.written, written), calls: subtreeCalls(trees.length, 0, sums.map((s) => s.calls)) };
  }

  async rollBack(simulation: string, tree: number[]): Promise<Calls> {
    const trees = subtrees(tree.slice(1), this.fanout());
    const [, sums] = await this.withSubtrees(
      () => this.rollBackOwn(),
      trees.map((t) => this.peers(simulation).call(t[0], (c) => c.rollBack(simulation, t))),
    );
    return subtreeCalls(trees.length, 0, sums);
  }

  /** This core as the API shows it; one that lost its windows since the last commit, as committed, until every core rolls back. */
  state(): CoreState {
    const { meta, last, rt } = this.live ?? (this.lost() ? this.rebuilt() : this.load());
    const next = rt.nextTime();
    const kernel = rt.kernel;
    return {
      simulation: meta.simulation,
      core: meta.core,
      window: last.window,
      clock: rt.clock,
      next: Number.isFinite(next) ? next : null,
      pending: rt.pending + this.inboxSize(last.taken),
      events: rt.events,
      messages: rt.messages,
      hash: rt.hash,
      kernel: kernel.summary ? kernel.summary() : kernel.snapshot(),
    };
  }

  /** Delete this core and its subtree, for a simulation's expiry. Cores that never booted are skipped over. */
  async destroy(simulation: string, tree: number[]): Promise<void> {
    const trees = subtrees(tree.slice(1), this.fanout());
    await this.withSubtrees(
      () => undefined,
      trees.map((t) => this.peers(simulation).call(t[0], (c) => c.destroy(simulation, t))),
    );
    this.forget();
    this.known = null;
    await this.ctx.storage.deleteAll();
  }

  /** The barrier tree's fan-out, for operations that may reach a core that never booted. */
  private fanout(): number {
    return this.live?.meta.options.fanout ?? this.store.get<CoreMeta>("meta")?.options.fanout ?? MAX_FANOUT;
  }

  /** The other cores of this core's simulation (a core object belongs to one simulation, so the first call's name holds). */
  private peers(simulation: string): CoreStubs {
    return (this.stubs ??= new CoreStubs(this.env.CORE, simulation));
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
      rt = booted(system, core, init.options.trace);
    } catch (e) {
      return { core, message: errorMessage(e) };
    }
    // The state at boot is the spec's to rebuild: no checkpoint keeps it. Its length is what saving it whole would write.
    const { trace: _, ...state } = rt.snapshot();
    const meta: CoreMeta = { simulation: init.simulation, core, options: init.options, checkpoint: -1, size: JSON.stringify(state).length, taken: 0 };
    // The core counts as booted once its meta is saved, with the spec.
    this.store.atomically(() => {
      this.store.putText("spec", init.spec);
      this.store.put("meta", meta);
    });
    this.live = { meta, last: { window: -1, since: 0, taken: 0 }, system, rt };
    this.intact = true;
    return { next: rt.nextTime() };
  }

  /** The runtime as the last checkpoint saved it. */
  private restored(system: System, meta: CoreMeta): CoreRuntime {
    const stored = this.store.getChunked<SavedRuntime>("snapshot")!;
    const snapshot: CoreSnapshot = { ...stored, trace: meta.options.trace ? [] : null };
    return CoreRuntime.restore(snapshot, system.restore(meta.core, stored.kernel), system.lookahead, system.cores);
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
      this.checkIntact();
      this.live = this.rebuilt(expected);
    }
    if (expected !== undefined && expected !== this.live.meta.core) {
      throw new Error(`core ${this.live.meta.core} of simulation ${this.live.meta.simulation} was called as core ${expected}`);
    }
    return this.live;
  }

  /** The core as storage and this instance's uncommitted rows have it. */
  private rebuilt(expected?: number): Live {
    const meta = this.store.get<CoreMeta>("meta");
    if (!meta) throw new Error(`core ${expected ?? "?"}: not booted`);
    const system = this.experiments.systemOfText(this.store.getText("spec")!);
    const rt = meta.checkpoint < 0 ? booted(system, meta.core, meta.options.trace) : this.restored(system, meta);
    // The windows since the checkpoint, again: the same batches and bounds give the same state. What they sent has landed, and their trace is stored or kept.
    const log = [
      ...this.store.sql.exec<LogRow>("SELECT window, bound, taken FROM log WHERE window > ? ORDER BY window", meta.checkpoint).toArray(),
      ...this.uncommitted.log.values(),
    ];
    const last = { window: meta.checkpoint, since: log.length, taken: meta.taken };
    for (const { window, bound, taken } of log) {
      this.take(rt, this.batches(last.taken, taken));
      rt.process(bound, () => {});
      Object.assign(last, { window, taken });
    }
    if (rt.trace) rt.trace.length = 0;
    return { meta, last, system, rt };
  }

  /**
   * Window `window` of this core, run once however often it is asked for.
   * `members`: the calls (deliveries, or calls through the barrier tree)
   * that started the other cores due in it, when this core holds the baton
   * (baton.ts); their windows complete this one's.
   */
  private handleOnce(window: number, bound: number, baton: Baton | null, members: Promise<Member>[]): Promise<Handled | Failure> {
    if (this.handling?.window === window) return this.handling.done;
    const done = this.handle(window, bound, baton, members).finally(() => {
      if (this.handling?.done === done) this.handling = null;
    });
    this.handling = { window, done };
    return done;
  }

  private async handle(window: number, bound: number, baton: Baton | null, members: Promise<Member>[]): Promise<Handled | Failure> {
    // The others' windows first: their messages to this core come after its bound, and taken early they change nothing.
    const others = await this.membersDone(members);
    if (isFailure(others)) return others;
    const plan = this.faultPlan();
    if (plan?.evict(this.identity().core, window) && this.faults().evicted < window) {
      // As the platform evicts an object: the next load() rebuilds it from storage, or finds it lost what it did since the last commit.
      this.forget();
      const faults = this.faults();
      this.store.put(FAULTS, { ...faults, injected: faults.injected + 1, evicted: window });
    }
    const live = this.load();
    if (window <= live.last.window) return this.again(live, window, baton, others);
    try {
      return await this.handleNew(live, window, bound, baton, others, plan);
    } catch (e) {
      // The live runtime may be ahead of storage: it is dropped, and the next call starts again from storage.
      this.live = null;
      throw e;
    }
  }

  /** The other cores' windows this core started: their parts, and the calls that started them; the first kernel failure among them. */
  private async membersDone(members: Promise<Member>[]): Promise<Others | Failure> {
    const done = await settleAll(members);
    const failure = firstFailure(done.map((d) => d.failure));
    if (failure) return failure;
    return { parts: done.map((d) => d.part), sent: { roots: done.length, calls: done.map((d) => d.calls).reduce(addCalls, NO_CALLS) } };
  }

  /**
   * A window handled already (a reply lost, an invocation retried), answered
   * from its row in the log: its messages landed before it was saved, but for
   * those that started the next window, which are sent again with the baton
   * passed on as before. A window older than the last is asked for only by
   * a baton run again.
   */
  private again({ meta, system }: Live, window: number, baton: Baton | null, others: Others): Promise<Handled> | Handled {
    const row = this.uncommitted.log.get(window) ?? this.store.sql.exec<LogRow>("SELECT report, handed FROM log WHERE window = ?", window).toArray()[0];
    if (!row) throw new Error(`core ${meta.core}: asked for window ${window}, which it no longer keeps`);
    const own = parseReport(row.report);
    if (baton && row.handed !== null) {
      const pass = passOn(baton, horizonsOf(system, baton.rule), [partOf(own), ...others.parts]);
      return this.passBaton(window, own, others.parts, pass, JSON.parse(row.handed) as Batch[], NOT_SENT, others.sent);
    }
    return { own, group: others.parts, delivered: NOT_SENT, started: others.sent, later: NO_CALLS, passed: [], failure: null };
  }

  /**
   * A new window: its events handled, its messages landed, then saved. The
   * messages that start the next window on the baton leave after the save:
   * the baton may come back to this core (a message, its answer) before the
   * call that carries it returns.
   */
  private async handleNew(
    live: Live,
    window: number,
    bound: number,
    baton: Baton | null,
    others: Others,
    plan: FaultPlan | null,
  ): Promise<Handled | Failure> {
    const { meta, rt, system } = live;
    this.change();
    const taken = Math.max(live.last.taken, this.take(rt, (this.inbox ??= this.batches(live.last.taken))));
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
    const report: CoreWindow = { core: meta.core, events: work.events, messages: work.messages, next: rt.nextTime(), sent, stored: NOTHING_STORED };
    const pass = baton && passOn(baton, horizonsOf(system, baton.rule), [partOf(report), ...others.parts]);
    const starts = pass && startsOf(pass, meta.core, sent, meta.options.fanout);
    const handed = starts ? batches.filter((b) => starts.delivered.some((d) => d.core === b.core)) : [];
    // The barrier completes only once every message of the window has landed; all of them but the handed ones before the save.
    const delivered = await this.send(meta.simulation, batches.filter((b) => !handed.includes(b)), meta.options.fanout, window);
    if (plan?.restart(meta.core, window) && this.faults().restarted < window) {
      // As the platform resets an object: its memory goes before it logs the window, and the call fails; the core is then lost, and every core rolls back.
      // (Not ctx.abort() itself, which wrangler dev 4.116 takes for a fatal error and exits on.) Recorded, so that it fires once.
      const f = this.faults();
      this.store.put(FAULTS, { ...f, injected: f.injected + 1, restarted: window });
      this.forget();
      throw new InjectedFault(`core ${meta.core} restarted in window ${window}, before it logged the window`);
    }
    live.last = { window, since: live.last.since + 1, taken };
    this.save(live, { bound, report, handed: pass ? handed : null });
    return this.passBaton(window, report, others.parts, pass, handed, delivered, others.sent);
  }

  /** The baton after a saved window, if it goes on: the windows run on it from here (baton.ts). */
  private async passBaton(window: number, own: CoreWindow, group: WindowPart[], pass: Pass | null, handed: Batch[], delivered: Sent, started: Sent): Promise<Handled> {
    const done: Handled = { own, group, delivered, started, later: NO_CALLS, passed: [], failure: null };
    if (!pass) return done;
    const held = await this.hold(window + 1, pass, own.sent, handed);
    // The calls that start the next window are this window's; those of the next window on are later ones.
    return { ...done, delivered: addSent(delivered, held.starting), later: held.later, passed: held.passed, failure: held.failure };
  }

  /**
   * Window `next` as this core, holding the baton, starts it (baton.ts):
   * the baton goes on to the one core due, another, in the delivery of its
   * batch (`handed`: this core's batches to the cores it starts, which `sent`
   * says it messaged) or in a call; else this core runs its own window, or
   * waits for the others', and goes on.
   */
  private async hold(next: number, pass: Pass, sent: number[], handed: Batch[]): Promise<Held> {
    const { simulation, core: self, options } = this.identity();
    const how = startsOf(pass, self, sent, options.fanout);
    const batchOf = (core: number): Batch => handed.find((b) => b.core === core)!;
    if (how.moves) {
      const [d] = pass.due;
      const handoff = { window: next, bound: d.bound, baton: pass.baton };
      const reply = how.delivered.length
        ? await this.deliverTo(simulation, [batchOf(d.core)], next - 1, handoff)
        : await this.peers(simulation).call(d.core, (c) => c.window(next, [d.bound], [d.core], pass.baton)).then(answered);
      return { passed: reply.passed, starting: { roots: 1, calls: reply.calls }, later: NO_CALLS, failure: reply.failure };
    }
    const members = [
      ...how.delivered.map((d) => this.deliverTo(simulation, [batchOf(d.core)], next - 1, { window: next, bound: d.bound, baton: null }).then(memberOf)),
      ...subtrees(how.called, options.fanout).map((t) =>
        this.peers(simulation)
          .call(t[0].core, (c) =>
            c.window(
              next,
              t.map((d) => d.bound),
              t.map((d) => d.core),
            ),
          )
          .then(memberOfSummary),
      ),
    ];
    if (how.self) {
      const h = await this.handleOnce(next, how.self.bound, pass.baton, members);
      if (isFailure(h)) return { passed: [], starting: NOT_SENT, later: NO_CALLS, failure: h };
      return { passed: chain(h), starting: h.started, later: callsOf(h), failure: h.failure };
    }
    const others = await this.membersDone(members);
    if (isFailure(others)) return { passed: [], starting: NOT_SENT, later: NO_CALLS, failure: others };
    const after = passOn(pass.baton, horizonsOf(this.load().system, pass.baton.rule), others.parts);
    const rest = after && (await this.hold(next + 1, after, [], []));
    return {
      passed: [others.parts, ...(rest?.passed ?? [])],
      starting: others.sent,
      later: rest ? addCalls(subtreeCalls(0, rest.starting.roots, [rest.starting.calls]), rest.later) : NO_CALLS,
      failure: rest?.failure ?? null,
    };
  }

  /**
   * Deliver batches (in core order) through a tree over their cores: the
   * calls made here, and below. `window`: the window they were sent in,
   * where faults may be injected; null for batches passed on.
   */
  private async send(simulation: string, batches: Batch[], fanout: number, window: number | null): Promise<Sent> {
    const trees = subtrees(batches, fanout);
    const below = await settleAll(trees.map((t) => this.deliverTo(simulation, t, window)));
    return { roots: trees.length, calls: below.map((d) => d.calls).reduce(addCalls, NO_CALLS) };
  }

  /** One delivery (the stubs retry it after a transient failure: deliveries are idempotent), with the faults the plan puts on it. */
  private async deliverTo(simulation: string, tree: Batch[], window: number | null, handoff: Handoff | null = null): Promise<Delivered> {
    const plan = window === null ? null : this.faultPlan();
    const self = this.identity().core;
    const dst = tree[0].core;
    let fault = plan?.failDelivery(self, dst, window!) ?? null;
    const twice = plan?.duplicate(self, dst, window!) ?? false;
    if (fault || twice) this.countFaults((fault ? 1 : 0) + (twice ? 1 : 0));
    // A duplicate goes first: the window a handoff starts may send this core its next batch.
    if (twice) await this.peers(simulation).call(dst, (c) => c.deliver(tree));
    return this.peers(simulation).call(dst, (c) => {
      // The fault fails the first try only.
      const once = fault;
      fault = null;
      return c.deliver(tree, once, handoff);
    });
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

  /** The inbox's batches after `after` (the last taken), up to `upTo`: those in storage, then those since the last commit. */
  private batches(after: number, upTo = Number.MAX_SAFE_INTEGER): BatchRow[] {
    return [
      ...this.store.sql
        .exec<{ id: number; events: string }>("SELECT id, events FROM batch WHERE id > ? AND id <= ? ORDER BY id", after, upTo)
        .toArray()
        .map((r) => ({ id: r.id, events: JSON.parse(r.events) as SimEvent[] })),
      ...this.uncommitted.batches.filter((b) => b.id > after && b.id <= upTo),
    ];
  }

  private inboxSize(taken: number): number {
    const inbox = this.inbox ?? this.batches(taken);
    return inbox.reduce((n, b) => n + b.events.length, 0);
  }

  /** A batch into the inbox, once. */
  private receive(events: SimEvent[]): void {
    const key = batchKey(events[0].src, events[0].seq);
    const known = this.batchIds();
    if (known.ids.has(key)) return;
    this.change();
    const id = ++known.last;
    known.ids.set(key, id);
    this.uncommitted.batches.push({ id, events });
    this.inbox?.push({ id, events });
  }

  /** The inbox's keys (a read per delivery had cost the default shootdown sweep a twentieth of its time). */
  private batchIds(): { ids: Map<string, number>; last: number } {
    if (!this.inboxIds) {
      const rows = this.store.sql.exec<{ id: number; src: number; seq: number }>("SELECT id, src, seq FROM batch").toArray();
      this.inboxIds = { ids: new Map(rows.map((r) => [batchKey(r.src, r.seq), r.id])), last: rows.reduce((m, r) => Math.max(m, r.id), 0) };
    }
    return this.inboxIds;
  }

  /**
   * A window's end: its row of the log (bound, last batch taken, report,
   * and for a window that passed its baton on the batches it handed on) and
   * its trace, kept until the next commit.
   */
  private save(live: Live, w: { bound: number; report: CoreWindow; handed: Batch[] | null }): void {
    const { last, rt } = live;
    w.report.stored = { written: 0, whole: live.meta.size };
    this.uncommitted.log.set(last.window, {
      window: last.window,
      bound: w.bound,
      taken: last.taken,
      report: JSON.stringify(w.report),
      handed: w.handed ? JSON.stringify(w.handed) : null,
    });
    // The runtime keeps appending to the same array.
    if (rt.trace?.length) this.uncommitted.trace.push(rt.trace.splice(0));
    if (this.inbox?.length && this.inbox[0].id <= last.taken) this.inbox = this.inbox.filter((b) => b.id > last.taken);
  }

  /**
   * This core's part of a commit: the rows kept since the last one, and
   * every CHECKPOINT_WINDOWS windows the whole state, with the batches taken
   * dropped and the log cut to its last RECENT_WINDOWS rows; the mark goes
   * with them. One transaction, so that a failure midway (the storage full)
   * leaves none of them. Returns what the whole state's save wrote.
   */
  private commitOwn(): number {
    const live = this.load();
    if (!this.marked) return 0;
    const { last, rt } = live;
    const u = this.uncommitted;
    let written = 0;
    this.store.atomically(() => {
      for (const b of u.batches) {
        const [{ src, seq }] = b.events;
        this.store.sql.exec("INSERT INTO batch (id, src, seq, n, events) VALUES (?, ?, ?, ?, ?)", b.id, src, seq, b.events.length, JSON.stringify(b.events));
      }
      for (const r of u.log.values()) {
        this.store.sql.exec("INSERT OR REPLACE INTO log (window, bound, taken, report, handed) VALUES (?, ?, ?, ?, ?)", r.window, r.bound, r.taken, r.report, r.handed);
      }
      const trace = u.trace.flat();
      for (let i = 0; i < trace.length; i += TRACE_BATCH) this.store.sql.exec("INSERT INTO trace (records) VALUES (?)", JSON.stringify(trace.slice(i, i + TRACE_BATCH)));
      if (last.since >= CHECKPOINT_WINDOWS) {
        const { trace: _, ...state } = rt.snapshot();
        const saved = this.store.putChunked("snapshot", state);
        // All but the last taken: the batches' ids keep growing past the largest in storage.
        this.store.sql.exec("DELETE FROM batch WHERE id < ?", last.taken);
        if (this.inboxIds) for (const [key, id] of this.inboxIds.ids) if (id < last.taken) this.inboxIds.ids.delete(key);
        this.store.sql.exec("DELETE FROM log WHERE window <= ?", last.window - RECENT_WINDOWS);
        live.meta = { ...live.meta, checkpoint: last.window, size: saved.size, taken: last.taken };
        this.store.put("meta", live.meta);
        written = saved.written;
      }
      this.store.delete(CHANGED);
    });
    if (last.since >= CHECKPOINT_WINDOWS) last.since = 0;
    this.uncommitted = nothingUncommitted();
    this.marked = false;
    return written;
  }

  /** Back to the last commit: what this core did since, and its mark, go. */
  private rollBackOwn(): void {
    this.forget();
    if (this.store.get(CHANGED) !== undefined) this.store.delete(CHANGED);
    this.intact = true;
  }

  /**
   * A fresh instance checks storage's mark before it acts: a core marked as
   * changed since the last commit lost those changes with its memory, and
   * refuses every call until the Simulation rolls every core back.
   */
  private checkIntact(): void {
    if (this.intact) return;
    if (this.lost()) throw new Error(`core ${this.identity().core} ${LOST}`);
    this.intact = true;
  }

  /** Whether this instance, not known to hold every change since the last commit, finds storage's mark of one: then it lost them. */
  private lost(): boolean {
    return !this.intact && this.store.get(CHANGED) !== undefined;
  }

  /** Before the first change since the last commit: the mark, which commits with it. */
  private change(): void {
    if (this.marked) return;
    this.store.put(CHANGED, true);
    this.marked = true;
  }

  /** As the platform drops an object's memory: all that was not committed goes. */
  private forget(): void {
    this.live = null;
    this.inbox = null;
    this.uncommitted = nothingUncommitted();
    this.inboxIds = null;
    this.marked = false;
    this.intact = false;
  }

  private readTrace(): TraceRecord[] {
    return [
      ...this.store.sql
        .exec<{ records: string }>("SELECT records FROM trace ORDER BY id")
        .toArray()
        .flatMap((r) => JSON.parse(r.records) as TraceRecord[]),
      ...this.uncommitted.trace.flat(),
    ];
  }
}

const errorMessage = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/** A core's runtime as its simulation boots it: a function of the spec alone. */
const booted = (system: System, core: number, trace: boolean): CoreRuntime =>
  CoreRuntime.boot(core, system.boot(core), system.initial(core), system.lookahead, system.cores, trace);

/** A report as the log keeps it: JSON has no Infinity, so a core with nothing pending was saved with next null. */
function parseReport(text: string): CoreWindow {
  const report = JSON.parse(text) as Omit<CoreWindow, "next"> & { next: number | null };
  return { ...report, next: report.next ?? Infinity };
}
