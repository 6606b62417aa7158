// The Run Durable Object: one booted machine, named "<runId>". It holds the
// run's spec, its window loop, progress and results, and drives the cores
// through the durable transport. It never carries a message: cores send
// theirs to each other; the Run only runs the barrier.
//
// Lifecycle (`state`):
//   booting    start() has checked and stored the spec and set an alarm;
//   running    each invocation (an alarm, or step()) boots the cores if need
//              be, then advances a bounded number of windows, persisting the
//              loop after every one, and sets the next alarm;
//   done       the loop stopped; the outcome (and trace) are stored;
//   failed     a kernel failed, or the transport kept failing: `error` says why;
//   cancelled  cancel() was called.
// A finished run is deleted, cores and all, RUN_RETENTION_SECONDS after it
// ends (the same alarm, once the run is over). Because the loop is saved
// after every window and cores answer a repeated window from their saved
// report, an invocation that dies at any point is simply run again.
import { DurableObject } from "cloudflare:workers";
import type { Env } from "../env.ts";
import {
  advance,
  finish,
  NO_LIMITS,
  startLoop,
  type Limits,
  type LoopState,
  type RunOutcome,
  type TraceRecord,
} from "../engine/index.ts";
import { systemFor, type RunSpec } from "../experiments/index.ts";
import { CoreFailure, DurableTransport, type CoreLink, type TransportState } from "./durable-transport.ts";
import { NO_CALLS, type Calls, type CoreInit, type CoreState } from "./protocol.ts";
import { coreStub, type CoreStub } from "./stubs.ts";
import { Store } from "./store.ts";
import { checkFanout, MAX_FANOUT, settleAll, subtrees } from "./tree.ts";

export type RunState = "booting" | "running" | "done" | "failed" | "cancelled";

export interface RunOptions {
  /** Keep every core's trace records, for traceRecords(). Default false. */
  trace?: boolean;
  /** Stop after this many events, or before events arriving at this cycle. */
  limits?: Partial<Limits>;
  /** Windows one invocation advances at most. Default 256. */
  windowsPerInvocation?: number;
  /** The barrier tree's fan-out, 2..8. Default 8. */
  fanout?: number;
  /**
   * DO calls the Run may make in one invocation, at most 1000 (the platform's
   * subrequest limit). Default 500. A core's calls need no budget: the trees
   * bound them to twice the fan-out.
   */
  maxCallsPerInvocation?: number;
  /** Continue by alarm (default); false: advance only when step() is called. */
  continueByAlarm?: boolean;
}

type Settings = Required<Omit<RunOptions, "limits">> & { limits: Limits };

export interface RunProgress {
  windows: number;
  events: number;
  messages: number;
  /** Simulated time reached: the earliest pending event while running, the latest core clock when done. */
  simulatedCycles: number;
}

export interface RunStatus {
  runId: string;
  state: RunState;
  experiment: string;
  cores: number;
  progress: RunProgress;
  /**
   * Durable Object calls the run has made; the Run's invocations, and the
   * most calls the Run itself made in one of them.
   */
  calls: Calls & { invocations: number; runPeak: number };
  error: string | null;
  createdAt: number;
  updatedAt: number;
  /** Wall time from start() to the end, once ended. */
  wallMs: number | null;
}

interface RunRecord {
  runId: string;
  state: RunState;
  experiment: string;
  cores: number;
  settings: Settings;
  lookahead: number;
  loop: LoopState | null;
  transport: TransportState | null;
  simulatedCycles: number;
  error: string | null;
  /** Transport failures retried in a row. */
  retries: number;
  invocations: number;
  runPeak: number;
  createdAt: number;
  updatedAt: number;
  endedAt: number | null;
}

export const DEFAULTS = {
  windowsPerInvocation: 256,
  fanout: MAX_FANOUT,
  maxCallsPerInvocation: 500,
};
const MAX_RETRIES = 5;
const TERMINAL: RunState[] = ["done", "failed", "cancelled"];

export class Run extends DurableObject<Env> {
  private readonly store: Store;
  private rec: RunRecord | null;
  private spec: RunSpec | null = null;
  /** Serialises invocations that advance the run: an alarm and a step() never interleave. */
  private driving: Promise<unknown> = Promise.resolve();
  /** run() callers waiting for the end. */
  private waiters: (() => void)[] = [];

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.store = new Store(ctx.storage);
    this.rec = this.store.get<RunRecord>("run") ?? null;
  }

  /** Check and store the run, then return; the run goes on by alarm (or step()). Throws RangeError on bad input. */
  async start(spec: RunSpec, options: RunOptions = {}): Promise<RunStatus> {
    if (this.rec) throw new Error(`run ${this.rec.runId} has already been started`);
    const runId = this.ctx.id.name;
    if (!runId) throw new Error("a Run must be reached by name: RUN.getByName(runId)");
    const settings = this.settle(options);
    const maxCores = Number(this.env.MAX_CORES_PER_RUN);
    if (!(spec.cores <= maxCores)) throw new RangeError(`cores: at most ${maxCores} per run`);
    // Boots nothing, but checks the experiment, its parameters and the machine.
    const system = systemFor(spec);
    if (system.cores !== spec.cores) throw new RangeError(`cores: the experiment booted ${system.cores} of ${spec.cores}`);

    const now = Date.now();
    this.spec = spec;
    this.store.putDoc("spec", spec);
    this.rec = {
      runId,
      state: "booting",
      experiment: spec.experiment,
      cores: spec.cores,
      settings,
      lookahead: system.lookahead,
      loop: null,
      transport: null,
      simulatedCycles: 0,
      error: null,
      retries: 0,
      invocations: 0,
      runPeak: 0,
      createdAt: now,
      updatedAt: now,
      endedAt: null,
    };
    this.persist();
    if (settings.continueByAlarm) await this.ctx.storage.setAlarm(now);
    return this.status()!;
  }

  /** Start the run and wait for its end: for the CLI and small runs. The run itself still goes on in bounded invocations. */
  async run(spec: RunSpec, options: RunOptions = {}): Promise<{ status: RunStatus; outcome: RunOutcome | null }> {
    await this.start(spec, { ...options, continueByAlarm: true });
    await new Promise<void>((resolve) => {
      if (this.ended()) resolve();
      else this.waiters.push(resolve);
    });
    return { status: this.status()!, outcome: this.outcome() };
  }

  /** Null when no run was started here. */
  status(): RunStatus | null {
    const r = this.rec;
    if (!r) return null;
    const loop = r.loop;
    const calls = r.transport?.calls ?? NO_CALLS;
    return {
      runId: r.runId,
      state: r.state,
      experiment: r.experiment,
      cores: r.cores,
      progress: { windows: loop?.windows ?? 0, events: loop?.events ?? 0, messages: loop?.messages ?? 0, simulatedCycles: r.simulatedCycles },
      calls: { ...calls, invocations: r.invocations, runPeak: r.runPeak },
      error: r.error,
      createdAt: r.createdAt,
      updatedAt: r.updatedAt,
      wallMs: r.endedAt === null ? null : r.endedAt - r.createdAt,
    };
  }

  /** The run's outcome once done (without its trace: see traceRecords()); null before. */
  outcome(): RunOutcome | null {
    return this.rec?.state === "done" ? (this.store.getDoc<RunOutcome>("outcome") ?? null) : null;
  }

  /** The merged trace once done, when the run kept one; null otherwise. (`trace` is reserved: a Worker's tail handler.) */
  traceRecords(): TraceRecord[] | null {
    return this.rec?.state === "done" ? (this.store.getDoc<TraceRecord[]>("trace") ?? null) : null;
  }

  /**
   * One core of the run as it stands (last window it handled); null before
   * every core has booted or after the run expired, so that asking never
   * fails for want of a core object.
   */
  async core(core: number): Promise<CoreState | null> {
    const r = this.rec;
    if (!r?.loop) return null;
    if (!(Number.isInteger(core) && core >= 0 && core < r.cores)) throw new RangeError(`core: must be an integer in [0, ${r.cores - 1}]`);
    return this.coreStub(core).state();
  }

  /** Stop the run where it is; its cores stay until it expires. */
  async cancel(): Promise<RunStatus | null> {
    if (this.rec && !this.ended()) await this.end("cancelled", null);
    return this.status();
  }

  /** Advance the run by one invocation's worth of windows now, whatever its alarms do. */
  async step(windows?: number): Promise<RunStatus> {
    this.record();
    await this.drive(windows);
    return this.status()!;
  }

  /** Delete the run: every core, then the Run itself. */
  async destroy(): Promise<void> {
    const r = this.rec;
    if (r) {
      // Let an invocation in flight see the run is over before its cores go.
      if (!this.ended()) r.state = "cancelled";
      await this.driving;
      const all = Array.from({ length: r.cores }, (_, c) => c);
      await settleAll(subtrees(all, r.settings.fanout).map((t) => this.coreStub(t[0]).destroy(r.runId, t)));
    }
    await this.ctx.storage.deleteAlarm();
    await this.ctx.storage.deleteAll();
    this.rec = null;
    this.spec = null;
  }

  override async alarm(): Promise<void> {
    if (!this.rec) return;
    if (this.ended()) return this.destroy();
    await this.drive();
  }

  /** One invocation's slice of the run, never two at once. */
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
    const transport = new DurableTransport(r.cores, s.fanout, this.link(r.runId, s), s.trace, r.transport ?? undefined);
    try {
      if (r.state === "booting") {
        const loop = await startLoop(transport);
        if (r.state === "booting") r.state = "running";
        this.saveProgress(transport, loop);
      }
      const windows = Math.min(maxWindows ?? s.windowsPerInvocation, s.windowsPerInvocation);
      for (let w = 0; w < windows && r.state === "running" && !r.loop!.stopped; w++) {
        // A window costs the Run at most `fanout` calls, and so does the final collection.
        if (transport.rootCalls + 2 * s.fanout > s.maxCallsPerInvocation) break;
        this.saveProgress(transport, await advance(transport, r.loop!, r.lookahead, s.limits, 1));
      }
      if (r.state !== "running") return; // cancelled meanwhile
      if (r.loop!.stopped) return await this.complete(transport);
      r.retries = 0;
      this.persist();
      if (s.continueByAlarm) await this.ctx.storage.setAlarm(Date.now());
    } catch (e) {
      await this.failed(e);
    }
  }

  /** Collect every core's report and store the outcome. */
  private async complete(transport: DurableTransport): Promise<void> {
    const r = this.record();
    const outcome = await finish(transport, r.loop!, Date.now() - r.createdAt);
    r.transport = transport.state();
    r.runPeak = Math.max(r.runPeak, transport.rootCalls);
    r.simulatedCycles = outcome.stats.simulatedCycles;
    this.store.atomically(() => {
      this.store.putDoc("outcome", { ...outcome, trace: null });
      if (outcome.trace) this.store.putDoc("trace", outcome.trace);
    });
    await this.end("done", null);
  }

  /** A kernel's failure ends the run; a transport failure is retried a few times first. */
  private async failed(e: unknown): Promise<void> {
    const r = this.record();
    const message = e instanceof Error ? e.message : String(e);
    const retryable = !(e instanceof CoreFailure) && (e as { retryable?: boolean } | null)?.retryable === true;
    if (retryable && r.retries < MAX_RETRIES) {
      r.retries++;
      this.persist();
      if (r.settings.continueByAlarm) await this.ctx.storage.setAlarm(Date.now() + 100 * 2 ** r.retries);
      return;
    }
    await this.end("failed", message);
  }

  private async end(state: RunState, error: string | null): Promise<void> {
    const r = this.record();
    r.state = state;
    r.error = error;
    r.endedAt = Date.now();
    this.persist();
    await this.ctx.storage.setAlarm(r.endedAt + Number(this.env.RUN_RETENTION_SECONDS) * 1000);
    for (const w of this.waiters.splice(0)) w();
  }

  /** After a window (or boot): the loop and the transport's state, saved together. */
  private saveProgress(transport: DurableTransport, loop: LoopState): void {
    const r = this.record();
    r.loop = loop;
    r.transport = transport.state();
    r.runPeak = Math.max(r.runPeak, transport.rootCalls);
    r.simulatedCycles = loop.next ?? r.simulatedCycles;
    this.persist();
  }

  private persist(): void {
    const r = this.record();
    r.updatedAt = Date.now();
    this.store.put("run", r);
  }

  private link(runId: string, s: Settings): CoreLink {
    const init: CoreInit = { runId, spec: this.runSpec(), options: { trace: s.trace, fanout: s.fanout } };
    return {
      boot: (tree) => this.coreStub(tree[0]).boot(init, tree),
      window: (tree, w, bound) => this.coreStub(tree[0]).window(w, bound, tree),
      collect: (tree) => this.coreStub(tree[0]).collect(tree),
    };
  }

  private coreStub(core: number): CoreStub {
    return coreStub(this.env.CORE, this.record().runId, core);
  }

  private settle(o: RunOptions): Settings {
    const s: Settings = {
      trace: o.trace ?? false,
      windowsPerInvocation: o.windowsPerInvocation ?? DEFAULTS.windowsPerInvocation,
      fanout: o.fanout ?? DEFAULTS.fanout,
      maxCallsPerInvocation: o.maxCallsPerInvocation ?? DEFAULTS.maxCallsPerInvocation,
      continueByAlarm: o.continueByAlarm ?? true,
      limits: {
        maxEvents: Math.min(o.limits?.maxEvents ?? NO_LIMITS.maxEvents, Number(this.env.MAX_EVENTS_PER_RUN)),
        maxCycles: o.limits?.maxCycles ?? NO_LIMITS.maxCycles,
      },
    };
    checkFanout(s.fanout);
    if (!(Number.isInteger(s.windowsPerInvocation) && s.windowsPerInvocation >= 1)) throw new RangeError("windowsPerInvocation must be an integer >= 1");
    if (!(Number.isInteger(s.maxCallsPerInvocation) && s.maxCallsPerInvocation >= 4 * s.fanout && s.maxCallsPerInvocation <= 1000)) {
      throw new RangeError(`maxCallsPerInvocation must be an integer in [${4 * s.fanout}, 1000]`);
    }
    for (const [k, v] of Object.entries(s.limits)) {
      if (!(Number.isInteger(v) && v >= 1)) throw new RangeError(`limits.${k} must be an integer >= 1`);
    }
    return s;
  }

  private runSpec(): RunSpec {
    return (this.spec ??= this.store.getDoc<RunSpec>("spec")!);
  }

  private ended(): boolean {
    return TERMINAL.includes(this.record().state);
  }

  private record(): RunRecord {
    if (!this.rec) throw new Error("no run here: start() it first");
    return this.rec;
  }
}
