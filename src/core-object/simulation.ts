// The Simulation Durable Object: one booted machine, named "<run>.<i>". It
// holds the simulation's spec, its window loop, progress and results, and
// drives the cores through the durable transport. It never carries a message:
// cores send theirs to each other; the Simulation only runs the barrier (which
// the cores carry on among themselves for a few windows after each window it
// starts: baton.ts).
//
// Lifecycle (`state`, see lifecycle.ts for what all objects share):
//   booting    start() has checked and stored the spec;
//   running    each slice (an alarm, or step()) boots the cores if need be,
//              then advances a bounded number of windows; every
//              COMMIT_WINDOWS windows (or COMMIT_MS) the cores it touched
//              commit what they did (core.ts), then it saves its loop; the
//              next slice of the same instance goes on from its loop in
//              memory, a new instance from the loop saved;
//   done       the loop stopped; the outcome (and trace) are stored;
//   failed     a kernel failed, or the transport kept failing: `error` says why;
//   cancelled  cancel() was called.
// Because cores answer a repeated window from their logged report, and keep
// the reports of more windows than the loop saved can be behind, a slice that
// dies at any point is simply run again from the loop saved. A core that lost
// what it did since the last commit refuses to go on: every core then rolls
// back to that commit, and the slice is run again from the loop saved there;
// the next commits come sooner (the windows between two halve with each
// roll-back and grow back by one with each commit, as TCP's window does), so
// that faults that keep striking cost little.
import type { Env } from "../env.ts";
import {
  advance,
  finish,
  Horizons,
  NO_LIMITS,
  startLoop,
  WINDOW_RULES,
  type Limits,
  type LoopState,
  type SimulationOutcome,
  type TraceRecord,
} from "../engine/index.ts";
import { EXPERIMENTS, type ExperimentSet, type SimulationSpec } from "../experiments/index.ts";
import { BATON_WINDOWS } from "./baton.ts";
import { CoreFailure, DurableTransport, type CoreLink, type TransportState } from "./durable-transport.ts";
import { isTransient, Lifecycle, MAX_RETRIES, newLifecycle, WATCH_MS, type Final, type LifecycleRecord } from "./lifecycle.ts";
import {
  FaultsSchema,
  NO_CALLS,
  NO_CALLS_BY_KIND,
  NOTHING_STORED,
  COMMIT_WINDOWS,
  isLost,
  type CoreInit,
  type CoreState,
  type SimulationApi,
  type SimulationOptions,
  type SimulationState,
  type SimulationStatus,
} from "./protocol.ts";
import { CoreStubs } from "./stubs.ts";
import { checkFanout, MAX_FANOUT, settleAll, subtrees } from "./tree.ts";

type Settings = Required<Omit<SimulationOptions, "limits">> & { limits: Limits };

interface SimulationRecord extends LifecycleRecord {
  simulation: string;
  state: SimulationState;
  experiment: string;
  cores: number;
  settings: Settings;
  loop: LoopState | null;
  transport: TransportState | null;
  simulatedCycles: number;
  invocations: number;
  ownPeak: number;
  /** Faults injected into the cores, counted when they are collected. */
  faults: number;
  /** Roll-backs of every core to the last commit (absent in records stored before there were any). */
  rollBacks?: number;
}

/**
 * How long a slice runs between two pauses. workerd reads a request from
 * outside only when nothing inside is ready to run, and a slice's windows
 * are an unbroken chain of calls between objects: locally, where every
 * object shares one thread, any request (a status poll, the demo's page)
 * waited for the slice to end, a second or more. A pause on a timer lets
 * them in; each leaves the thread idle for a moment, so not after every
 * window. At 50 ms a status poll during the default shootdown sweep answered
 * in about 60 ms (1 s before), and the sweep's CPU time did not move (README,
 * the sweeps bench).
 */
const PAUSE_EVERY_MS = 50;

/**
 * The longest the Simulation goes without a commit, besides COMMIT_WINDOWS:
 * what a core did since the last commit lives in its memory only, and an
 * object the platform evicts after it sat idle (it may, after some seconds)
 * costs every core a roll-back; this bounds both the work lost and how long
 * a core waits with work to lose.
 */
const COMMIT_MS = 2_000;

/** Nothing under way for a moment: a timer lets workerd read the requests waiting outside. */
const pause = (): Promise<void> => new Promise((resume) => setTimeout(resume, 0));

export const DEFAULTS = {
  windowsPerInvocation: 256,
  commitWindows: COMMIT_WINDOWS,
  fanout: MAX_FANOUT,
  maxCallsPerInvocation: 500,
};
export class Simulation extends Lifecycle<SimulationRecord> implements SimulationApi {
  /** The experiments simulations boot from; a test worker adds its own. */
  protected readonly experiments: ExperimentSet = EXPERIMENTS;
  /** Serialises the slices that advance the simulation: an alarm and a step() never interleave. */
  private driving: Promise<unknown> = Promise.resolve();
  /** run() callers waiting for the end. */
  private waiters: (() => void)[] = [];
  /** The windows' rule over the lookahead, made once per instance (closing a large machine's lags takes a while). */
  private horizons: Horizons | null = null;
  /** Stubs of this simulation's cores, once one was called. */
  private stubs: CoreStubs | null = null;
  /**
   * The loop as this instance runs it, ahead of the one saved at the last
   * commit, and its transport, which knows the cores touched since: the next
   * slice goes on from them. Null before the first slice of an instance and
   * after a failed one, which go on from the loop saved.
   */
  private live: { loop: LoopState | null; transport: DurableTransport } | null = null;
  /** The windows of the loop as last saved, at a commit, and when. */
  private committed = { windows: 0, at: 0 };
  /** Windows between two commits: the settings' commitWindows, less after a roll-back; set by the first slice. */
  private commitEvery = 0;
  /** Roll-backs since the loop last went further than ever in this instance: a core that lost its memory at every window would otherwise run the same windows forever. */
  private rollBacks = 0;
  /** The most windows the loop reached in this instance. */
  private furthest = 0;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env, "simulation");
  }

  /** Check and store the simulation, then return; it goes on by alarm (or step()). Throws RangeError on bad input. */
  async start(spec: SimulationSpec, options: SimulationOptions = {}): Promise<SimulationStatus> {
    if (this.rec) throw new Error(`simulation ${this.rec.simulation} has already been started`);
    const simulation = this.name("Simulation");
    const settings = this.settle(options);
    const maxCores = Number(this.env.MAX_CORES_PER_RUN);
    if (!(spec.cores <= maxCores)) throw new RangeError(`cores: at most ${maxCores} per run`);
    // Boots nothing, but checks the experiment, its parameters and the machine (and readies the system for cores in this isolate).
    const text = JSON.stringify(spec);
    const system = this.experiments.systemOfText(text);
    if (system.cores !== spec.cores) throw new RangeError(`cores: the experiment booted ${system.cores} of ${spec.cores}`);

    const now = Date.now();
    this.store.putText("spec", text);
    this.rec = {
      simulation,
      state: "booting",
      experiment: spec.experiment,
      cores: spec.cores,
      settings,
      loop: null,
      transport: null,
      simulatedCycles: 0,
      invocations: 0,
      ownPeak: 0,
      faults: 0,
      rollBacks: 0,
      ...newLifecycle(now),
    };
    this.persist();
    if (settings.continueByAlarm) await this.continueLater();
    return this.status()!;
  }

  /** Start and wait for the end: for the CLI and small simulations. It still goes on in bounded slices, watched while it waits. */
  async run(spec: SimulationSpec, options: SimulationOptions = {}): Promise<{ status: SimulationStatus; outcome: SimulationOutcome | null }> {
    await this.start(spec, { ...options, continueByAlarm: true });
    while (!this.ended()) {
      await Promise.race([new Promise<void>((resolve) => this.waiters.push(resolve)), new Promise((resolve) => setTimeout(resolve, WATCH_MS))]);
      await this.watch();
    }
    return { status: this.status()!, outcome: this.outcome() };
  }

  /** Null when nothing was started here. */
  status(): SimulationStatus | null {
    const r = this.rec;
    if (!r) return null;
    const loop = this.live?.loop ?? r.loop;
    const calls = r.transport?.calls ?? NO_CALLS;
    return {
      simulation: r.simulation,
      state: r.state,
      experiment: r.experiment,
      cores: r.cores,
      progress: { windows: loop?.windows ?? 0, events: loop?.events ?? 0, messages: loop?.messages ?? 0, simulatedCycles: r.simulatedCycles },
      calls: { ...calls, invocations: r.invocations, ownPeak: r.ownPeak, byKind: r.transport?.byKind ?? NO_CALLS_BY_KIND },
      stored: r.transport?.stored ?? NOTHING_STORED,
      faults: r.faults,
      rollBacks: r.rollBacks ?? 0,
      error: r.error,
      createdAt: r.createdAt,
      updatedAt: r.updatedAt,
      wallMs: r.endedAt === null ? null : r.endedAt - r.createdAt,
    };
  }

  /** The outcome once done (without its trace: see traceRecords()); null before. */
  outcome(): SimulationOutcome | null {
    return this.rec?.state === "done" ? (this.store.getDoc<SimulationOutcome>("outcome") ?? null) : null;
  }

  /** The merged trace once done, when the simulation kept one; null otherwise. (`trace` is reserved: a Worker's tail handler.) */
  traceRecords(): TraceRecord[] | null {
    return this.rec?.state === "done" ? (this.store.getDoc<TraceRecord[]>("trace") ?? null) : null;
  }

  /**
   * One core as it stands (last window it handled); null before every core
   * has booted or after the simulation expired, so that asking never
   * fails for want of a core object.
   */
  async core(core: number): Promise<CoreState | null> {
    const r = this.rec;
    if (!r?.loop) return null;
    if (!(Number.isInteger(core) && core >= 0 && core < r.cores)) throw new RangeError(`core: must be an integer in [0, ${r.cores - 1}]`);
    return this.cores().call(core, (c) => c.state());
  }

  /** Stop where it is; the cores stay until the simulation expires. */
  async cancel(): Promise<SimulationStatus | null> {
    if (this.rec && !this.ended()) await this.end("cancelled", null);
    return this.status();
  }

  /** Advance by one slice's worth of windows now, whatever the alarms do. */
  async step(windows?: number): Promise<SimulationStatus> {
    this.record();
    await this.drive(windows);
    return this.status()!;
  }

  /** Before the Simulation's own storage goes: every core's. */
  protected override async onDestroy(): Promise<void> {
    const r = this.rec;
    if (!r) return;
    // Let a slice in flight see the simulation is over before its cores go.
    if (!this.ended()) r.state = "cancelled";
    await this.driving;
    const all = Array.from({ length: r.cores }, (_, c) => c);
    await settleAll(subtrees(all, r.settings.fanout).map((t) => this.cores().call(t[0], (c) => c.destroy(r.simulation, t))));
  }

  protected advance(): Promise<void> {
    return this.drive();
  }

  /** A simulation its run drives by step() is watched through its run. */
  protected drivesItself(): boolean {
    const r = this.record();
    return r.settings.continueByAlarm && (r.state === "booting" || r.state === "running");
  }

  /** One slice, never two at once. */
  private drive(windows?: number): Promise<void> {
    const next = this.driving.then(() => this.slice(windows));
    this.driving = next.catch(() => {});
    return next;
  }

  private async slice(maxWindows?: number): Promise<void> {
    const r = this.record();
    if (this.ended()) return;
    const s = r.settings;
    r.invocations++;
    if (!this.live) {
      this.live = { loop: r.loop, transport: this.transport() };
      // Windows run before this instance may have changed any core; before the first window nothing can have.
      if (r.state !== "booting") this.live.transport.touchAll();
    }
    const live = this.live;
    const { transport } = live;
    transport.rootCalls = 0;
    this.commitEvery ||= s.commitWindows;
    try {
      if (r.state === "booting") {
        live.loop = await startLoop(transport);
        if (r.state === "booting") r.state = "running";
        await this.commit();
      }
      // Windows run, those the cores ran on a baton included.
      const until = live.loop!.windows + Math.min(maxWindows ?? s.windowsPerInvocation, s.windowsPerInvocation);
      let pausedAt = Date.now();
      while (live.loop!.windows < until && r.state === "running" && !live.loop!.stopped) {
        // A window costs the Simulation at most `fanout` calls, and so do a commit and the final collection.
        if (transport.rootCalls + 3 * s.fanout > s.maxCallsPerInvocation) break;
        this.horizons ??= new Horizons(this.experiments.systemOfText(this.store.getText("spec")!).lookahead, r.cores, s.windows);
        const loop = (live.loop = await advance(transport, live.loop!, this.horizons, s.limits, { windows: 1 }));
        // A window done is progress: transient failures are counted again from here, and roll-backs from a window never reached before.
        r.retries = 0;
        if (loop.windows > this.furthest) {
          this.furthest = loop.windows;
          this.rollBacks = 0;
        }
        this.progressed();
        if (loop.windows - this.committed.windows >= this.commitEvery || Date.now() - this.committed.at >= COMMIT_MS) await this.commit();
        if (Date.now() - pausedAt >= PAUSE_EVERY_MS) {
          await pause();
          pausedAt = Date.now();
        }
      }
      r.ownPeak = Math.max(r.ownPeak, transport.rootCalls);
      if (r.state !== "running") return; // cancelled meanwhile
      if (live.loop!.stopped) return await this.complete();
      if (s.continueByAlarm) await this.continueLater();
    } catch (e) {
      this.live = null;
      // A kernel's failure ends the simulation; a core that lost its memory makes every core roll back; a transport failure is retried a few times first.
      if (isLost(e) && r.state === "running" && this.rollBacks < MAX_RETRIES) return await this.rollBack();
      await this.failed(e, !(e instanceof CoreFailure) && isTransient(e));
    }
  }

  private transport(): DurableTransport {
    const r = this.record();
    const s = r.settings;
    const passing = { windows: s.baton, rule: s.windows, limits: s.limits };
    return new DurableTransport(r.cores, s.fanout, this.link(r.simulation, s), s.trace, passing, r.transport ?? undefined);
  }

  /**
   * The cores touched since the last commit commit, then the loop and the
   * transport's state are saved: the loop saved never runs ahead of what
   * the cores committed.
   */
  private async commit(): Promise<void> {
    const { loop, transport } = this.live!;
    await transport.commit();
    const r = this.record();
    r.loop = loop;
    r.transport = transport.state();
    r.ownPeak = Math.max(r.ownPeak, transport.rootCalls);
    r.simulatedCycles = loop!.next ?? r.simulatedCycles;
    this.persist();
    this.committed = { windows: loop!.windows, at: Date.now() };
    this.commitEvery = Math.min(r.settings.commitWindows, this.commitEvery + 1);
    transport.passBaton(r.settings.baton);
  }

  /**
   * Every core back to the last commit; the next slice runs again from the
   * loop saved there. Until the next commit the Simulation starts every
   * window itself, without the baton: a loss in a baton's chain of windows
   * undoes the whole chain, so the loop would never see the windows before
   * the loss done.
   */
  private async rollBack(): Promise<void> {
    const r = this.record();
    this.rollBacks++;
    const transport = this.transport();
    try {
      await transport.rollBack();
    } catch (e) {
      return this.failed(e, isTransient(e));
    }
    transport.passBaton(0);
    this.live = { loop: r.loop, transport };
    this.commitEvery = Math.max(1, this.commitEvery >> 1);
    r.rollBacks = (r.rollBacks ?? 0) + 1;
    this.persist();
    if (r.settings.continueByAlarm) await this.continueLater();
  }

  /** Collect every core's report (each commits first) and store the outcome. */
  private async complete(): Promise<void> {
    const r = this.record();
    const { loop, transport } = this.live!;
    const outcome = await finish(transport, loop!, Date.now() - r.createdAt);
    r.transport = transport.state();
    r.ownPeak = Math.max(r.ownPeak, transport.rootCalls);
    r.simulatedCycles = outcome.stats.simulatedCycles;
    r.faults = transport.faults;
    this.store.atomically(() => {
      this.store.putDoc("outcome", { ...outcome, trace: null });
      if (outcome.trace) this.store.putDoc("trace", outcome.trace);
    });
    await this.end("done", null);
  }

  /** Retries wait for the next alarm, or for the next step() of a simulation its run drives. */
  protected override continueLater(delayMs = 0): Promise<void> {
    return this.record().settings.continueByAlarm ? super.continueLater(delayMs) : Promise.resolve();
  }

  /** A simulation that ends shows where its loop got to, committed or not: it never goes on from there. */
  protected override end(state: Final, error: string | null): Promise<void> {
    const r = this.record();
    if (this.live?.loop) {
      r.loop = this.live.loop;
      r.transport = this.live.transport.state();
    }
    return super.end(state, error);
  }

  protected override onEnd(): void {
    this.live = null;
    for (const w of this.waiters.splice(0)) w();
  }

  private link(simulation: string, s: Settings): CoreLink {
    // Read once per boot, not per slice: the spec is the largest thing stored here.
    let init: CoreInit | null = null;
    return {
      pause,
      boot: (tree) => this.cores().call(tree[0], (c) => c.boot((init ??= { simulation, spec: this.store.getText("spec")!, options: { trace: s.trace, fanout: s.fanout, faults: s.faults } }), tree)),
      window: (tree, w, bounds, baton) => this.cores().call(tree[0], (c) => c.window(w, bounds, tree, baton)),
      collect: (tree) => this.cores().call(tree[0], (c) => c.collect(tree)),
      commit: (tree) => this.cores().call(tree[0], (c) => c.commit(tree)),
      rollBack: (tree) => this.cores().call(tree[0], (c) => c.rollBack(simulation, tree)),
    };
  }

  private cores(): CoreStubs {
    return (this.stubs ??= new CoreStubs(this.env.CORE, this.record().simulation));
  }

  private settle(o: SimulationOptions): Settings {
    const s: Settings = {
      trace: o.trace ?? false,
      windowsPerInvocation: o.windowsPerInvocation ?? DEFAULTS.windowsPerInvocation,
      commitWindows: o.commitWindows ?? DEFAULTS.commitWindows,
      fanout: o.fanout ?? DEFAULTS.fanout,
      maxCallsPerInvocation: o.maxCallsPerInvocation ?? DEFAULTS.maxCallsPerInvocation,
      continueByAlarm: o.continueByAlarm ?? true,
      faults: o.faults ? FaultsSchema.parse(o.faults) : null,
      windows: o.windows ?? "horizons",
      baton: o.baton ?? BATON_WINDOWS,
      limits: {
        maxEvents: Math.min(o.limits?.maxEvents ?? NO_LIMITS.maxEvents, Number(this.env.MAX_EVENTS_PER_RUN)),
        maxCycles: o.limits?.maxCycles ?? NO_LIMITS.maxCycles,
      },
    };
    checkFanout(s.fanout);
    if (!WINDOW_RULES.includes(s.windows)) throw new RangeError(`windows must be one of ${WINDOW_RULES.join(", ")}`);
    if (!(Number.isInteger(s.baton) && s.baton >= 0 && s.baton <= BATON_WINDOWS)) throw new RangeError(`baton must be an integer in [0, ${BATON_WINDOWS}]`);
    if (!(Number.isInteger(s.windowsPerInvocation) && s.windowsPerInvocation >= 1)) throw new RangeError("windowsPerInvocation must be an integer >= 1");
    if (!(Number.isInteger(s.commitWindows) && s.commitWindows >= 1 && s.commitWindows <= COMMIT_WINDOWS)) throw new RangeError(`commitWindows must be an integer in [1, ${COMMIT_WINDOWS}]`);
    if (!(Number.isInteger(s.maxCallsPerInvocation) && s.maxCallsPerInvocation >= 4 * s.fanout && s.maxCallsPerInvocation <= 1000)) {
      throw new RangeError(`maxCallsPerInvocation must be an integer in [${4 * s.fanout}, 1000]`);
    }
    for (const [k, v] of Object.entries(s.limits)) {
      if (!(Number.isInteger(v) && v >= 1)) throw new RangeError(`limits.${k} must be an integer >= 1`);
    }
    return s;
  }
}
