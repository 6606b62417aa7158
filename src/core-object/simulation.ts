// The Simulation Durable Object: one booted machine, named "<run>.<i>". It
// holds the simulation's spec, its window loop, progress and results, and
// drives the cores through the durable transport. It never carries a message:
// cores send theirs to each other; the Simulation only runs the barrier (which
// the cores carry on among themselves for a few windows from a window with
// one core due: baton.ts).
//
// Lifecycle (`state`, see lifecycle.ts for what all objects share):
//   booting    start() has checked and stored the spec;
//   running    each slice (an alarm, or step()) boots the cores if need be,
//              then advances a bounded number of windows, persisting the loop
//              every PERSIST_WINDOWS windows and when the slice ends;
//   done       the loop stopped; the outcome (and trace) are stored;
//   failed     a kernel failed, or the transport kept failing: `error` says why;
//   cancelled  cancel() was called.
// Because cores answer a repeated window from their saved report, and keep
// the reports of more windows than the loop saved can be behind, a slice that
// dies at any point is simply run again from the loop saved.
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
import { isTransient, Lifecycle, newLifecycle, WATCH_MS, type LifecycleRecord } from "./lifecycle.ts";
import {
  FaultsSchema,
  NO_CALLS,
  NOTHING_STORED,
  PERSIST_WINDOWS,
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

/** Nothing under way for a moment: a timer lets workerd read the requests waiting outside. */
const pause = (): Promise<void> => new Promise((resume) => setTimeout(resume, 0));

export const DEFAULTS = {
  windowsPerInvocation: 256,
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
  /** The windows of the loop as last saved. */
  private savedWindows = 0;

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
    const loop = r.loop;
    const calls = r.transport?.calls ?? NO_CALLS;
    return {
      simulation: r.simulation,
      state: r.state,
      experiment: r.experiment,
      cores: r.cores,
      progress: { windows: loop?.windows ?? 0, events: loop?.events ?? 0, messages: loop?.messages ?? 0, simulatedCycles: r.simulatedCycles },
      calls: { ...calls, invocations: r.invocations, ownPeak: r.ownPeak },
      stored: r.transport?.stored ?? NOTHING_STORED,
      faults: r.faults,
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
    const passing = { windows: s.baton, rule: s.windows, limits: s.limits };
    const transport = new DurableTransport(r.cores, s.fanout, this.link(r.simulation, s), s.trace, passing, r.transport ?? undefined);
    try {
      if (r.state === "booting") {
        const loop = await startLoop(transport);
        if (r.state === "booting") r.state = "running";
        this.saveProgress(transport, loop, true);
      }
      // Windows run, those the cores ran on a baton included.
      const until = r.loop!.windows + Math.min(maxWindows ?? s.windowsPerInvocation, s.windowsPerInvocation);
      let pausedAt = Date.now();
      while (r.loop!.windows < until && r.state === "running" && !r.loop!.stopped) {
        // A window costs the Simulation at most `fanout` calls, and so does the final collection.
        if (transport.rootCalls + 2 * s.fanout > s.maxCallsPerInvocation) break;
        this.horizons ??= new Horizons(this.experiments.systemOfText(this.store.getText("spec")!).lookahead, r.cores, s.windows);
        this.saveProgress(transport, await advance(transport, r.loop!, this.horizons, s.limits, { windows: 1 }));
        if (Date.now() - pausedAt >= PAUSE_EVERY_MS) {
          await pause();
          pausedAt = Date.now();
        }
      }
      if (r.state !== "running") return; // cancelled meanwhile
      if (r.loop!.stopped) return await this.complete(transport);
      r.retries = 0;
      this.persist();
      if (s.continueByAlarm) await this.continueLater();
    } catch (e) {
      // A kernel's failure ends the simulation; a transport failure is retried a few times first.
      await this.failed(e, !(e instanceof CoreFailure) && isTransient(e));
    }
  }

  /** Collect every core's report and store the outcome. */
  private async complete(transport: DurableTransport): Promise<void> {
    const r = this.record();
    const outcome = await finish(transport, r.loop!, Date.now() - r.createdAt);
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

  protected override onEnd(): void {
    for (const w of this.waiters.splice(0)) w();
  }

  /**
   * After a window (or boot): the loop and the transport's state, saved
   * together every PERSIST_WINDOWS windows (each save is a commit of this
   * object's storage), or now when `now`; the slice saves them when it ends.
   */
  private saveProgress(transport: DurableTransport, loop: LoopState, now = false): void {
    const r = this.record();
    r.loop = loop;
    r.transport = transport.state();
    r.ownPeak = Math.max(r.ownPeak, transport.rootCalls);
    r.simulatedCycles = loop.next ?? r.simulatedCycles;
    // A window done is progress: transient failures are counted again from here.
    r.retries = 0;
    this.progressed();
    if (now || loop.windows - this.savedWindows >= PERSIST_WINDOWS) this.persist();
  }

  protected override persist(): void {
    super.persist();
    this.savedWindows = this.rec?.loop?.windows ?? 0;
  }

  private link(simulation: string, s: Settings): CoreLink {
    // Read once per boot, not per slice: the spec is the largest thing stored here.
    let init: CoreInit | null = null;
    return {
      pause,
      boot: (tree) => this.cores().call(tree[0], (c) => c.boot((init ??= { simulation, spec: this.store.getText("spec")!, options: { trace: s.trace, fanout: s.fanout, faults: s.faults } }), tree)),
      window: (tree, w, bounds, baton) => this.cores().call(tree[0], (c) => c.window(w, bounds, tree, baton)),
      collect: (tree) => this.cores().call(tree[0], (c) => c.collect(tree)),
    };
  }

  private cores(): CoreStubs {
    return (this.stubs ??= new CoreStubs(this.env.CORE, this.record().simulation));
  }

  private settle(o: SimulationOptions): Settings {
    const s: Settings = {
      trace: o.trace ?? false,
      windowsPerInvocation: o.windowsPerInvocation ?? DEFAULTS.windowsPerInvocation,
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
    if (!(Number.isInteger(s.maxCallsPerInvocation) && s.maxCallsPerInvocation >= 4 * s.fanout && s.maxCallsPerInvocation <= 1000)) {
      throw new RangeError(`maxCallsPerInvocation must be an integer in [${4 * s.fanout}, 1000]`);
    }
    for (const [k, v] of Object.entries(s.limits)) {
      if (!(Number.isInteger(v) && v >= 1)) throw new RangeError(`limits.${k} must be an integer >= 1`);
    }
    return s;
  }
}
