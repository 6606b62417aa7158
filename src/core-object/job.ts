// The Job Durable Object: one experiment run through the API, named by its
// unguessable id. An experiment may need several booted machines (shootdown
// boots one per protocol and core count, urpc one per class of core pair), so
// a job is a list of RunSpecs run one after another, and a Run object runs
// one booted machine. A separate object, rather than a Run that knows about
// its siblings, keeps the Run what it is (one machine, one window loop) and
// gives the job one place for what spans its runs: the plan, the outcomes
// so far, progress, the summary and the concurrency lease.
//
// Names derive from the job's: its i-th run is the Run "<id>.<i>", whose
// cores are "<id>.<i>/<core>". The API only ever takes the job's id and an
// index checked here, so one job's objects cannot be reached through another's.
//
// Lifecycle: start() plans the runs (the SKB computes their routes), takes a
// lease from the Registry and sets an alarm. Each alarm advances the current
// run by one bounded slice: on the durable engine it calls the Run's step()
// (the job, not the Run's own alarms, drives it, so no time is lost polling);
// on the in-process engine it advances the engine here by a bounded number of
// events. A run that ends hands its outcome to the job, which starts the next;
// after the last, the experiment summarises them all. A job that ends gives
// its lease back and deletes itself RUN_RETENTION_SECONDS later, as its Runs
// do. Expected refusals come back as data, never as a rejected call.
import { DurableObject } from "cloudflare:workers";
import type { Env } from "../env.ts";
import { Machine, type MachineDescription } from "../hwmodel/index.ts";
import {
  advance,
  finish,
  InProcessTransport,
  NO_LIMITS,
  startLoop,
  type Json,
  type Limits,
  type LoopState,
  type RunOutcome,
  type TraceRecord,
} from "../engine/index.ts";
import {
  experimentByName,
  ParamError,
  planExperiment,
  summarizeExperiment,
  systemFor,
  type ExperimentResult,
  type Plan,
  type RunSpec,
} from "../experiments/index.ts";
import type { CoreState } from "./protocol.ts";
import { LEASE_MS } from "./registry.ts";
import { Store } from "./store.ts";
import { registryStub, runStub, type RunStub } from "./stubs.ts";

export type Engine = "durable" | "inproc";
export type JobState = "running" | "done" | "failed" | "cancelled";
export type RunState = "pending" | "running" | "done" | "failed" | "cancelled";

export interface JobRequest {
  experiment: string;
  machine: MachineDescription;
  /** The experiment's parameters as the user gave them. */
  params: Json;
  engine: Engine;
  trace: boolean;
}

/** What the API shows of a finished job: the CLI's JSON. */
export type JobResult = Omit<ExperimentResult, "hashes">;

export interface JobProgress {
  /** Runs (booted machines) the job has, and how many have finished. */
  runs: number;
  runsDone: number;
  /** Totals over the runs so far, the current one included. */
  windows: number;
  events: number;
  messages: number;
  simulatedCycles: number;
}

export interface JobStatus {
  id: string;
  status: JobState;
  experiment: string;
  machine: string;
  engine: Engine;
  trace: boolean;
  progress: JobProgress;
  runs: { cores: number; state: RunState }[];
  result: JobResult | null;
  error: string | null;
  createdAt: number;
  updatedAt: number;
  wallMs: number | null;
}

/**
 * Why the job will not do what was asked. kind: `params` (the experiment
 * refused a parameter; `field` is the parameter's), `unprocessable` (the plan
 * is beyond this server), `invalid` (a bad argument), `conflict` (not now, or
 * not for this job), `busy` (too many jobs running), `missing` (no such job).
 */
export interface Refusal {
  kind: "params" | "unprocessable" | "invalid" | "conflict" | "busy" | "missing";
  field: string | null;
  reason: string;
}

export type Answer<T> = { ok: true; value: T } | { ok: false; refusal: Refusal };

export interface JobTrace {
  records: TraceRecord[];
  clockGHz: number;
  name: string;
}

/** A traced run keeps every record until it ends (about 200 bytes an event): this bounds it. */
export const TRACE_MAX_EVENTS = 50_000;
/** Events the in-process engine handles per invocation, so that the job keeps answering. */
const SLICE_EVENTS = 20_000;
const MAX_RETRIES = 5;

interface Totals {
  windows: number;
  events: number;
  messages: number;
  simulatedCycles: number;
}

const NO_TOTALS: Totals = { windows: 0, events: 0, messages: 0, simulatedCycles: 0 };

interface JobRecord {
  id: string;
  state: JobState;
  experiment: string;
  machine: string;
  clockGHz: number;
  engine: Engine;
  trace: boolean;
  maxEvents: number;
  /** Cores each run boots. */
  cores: number[];
  /** The run under way; cores.length once all are done. */
  current: number;
  /** The current Run object has been started (durable engine). */
  started: boolean;
  /** Totals of the finished runs, and of the current run so far. */
  done: Totals;
  live: Totals;
  error: string | null;
  retries: number;
  renewedAt: number;
  createdAt: number;
  updatedAt: number;
  endedAt: number | null;
}

/** The planned runs and the parameters as parsed, stored beside the record. */
interface StoredPlan {
  machine: MachineDescription;
  params: Json;
  specs: RunSpec[];
}

/** An in-process run under way. It lives in memory; if the object is evicted, the run starts over (it is deterministic). */
interface InProcessRun {
  index: number;
  transport: InProcessTransport;
  loop: LoopState;
  lookahead: number;
  startedAt: number;
}

export const runName = (id: string, run: number): string => `${id}.${run}`;

export class Job extends DurableObject<Env> {
  private rec: JobRecord | null;
  /** Made on first use: asking after an id no job has must leave no storage behind. */
  private docs: Store | null = null;
  private plan: StoredPlan | null = null;
  private inproc: InProcessRun | null = null;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.rec = ctx.storage.kv.get<JobRecord>("job") ?? null;
  }

  /** Plan the runs and start the first, or say why not. The request has been validated by the API. */
  async start(req: JobRequest): Promise<Answer<JobStatus>> {
    const id = this.ctx.id.name;
    if (!id) throw new Error("a Job must be reached by name: JOB.getByName(id)");
    if (this.rec) return refuse("conflict", "id", `job ${id} has already been started`);
    const machine = Machine.from(req.machine);
    let plan: Plan;
    try {
      plan = await planExperiment(req.experiment, machine, req.params);
    } catch (e) {
      if (e instanceof ParamError) return refuse("params", e.field, e.reason);
      return refuse("unprocessable", null, `cannot plan ${req.experiment} on ${machine.name}: ${message(e)}`);
    }
    const maxCores = Number(this.env.MAX_CORES_PER_RUN);
    const big = plan.specs.find((s) => s.cores > maxCores);
    if (big) return refuse("unprocessable", "cores", `a run would boot ${big.cores} cores; at most ${maxCores} per run (MAX_CORES_PER_RUN)`);
    if (!plan.specs.length) return refuse("unprocessable", "machine", `${req.experiment} has nothing to run on ${machine.name}`);
    const lease = await registryStub(this.env.REGISTRY).acquire(id, Number(this.env.MAX_CONCURRENT_RUNS));
    if (!lease.ok) return refuse("busy", null, `${lease.active} runs are under way, the most this server takes at once (MAX_CONCURRENT_RUNS)`);

    const now = Date.now();
    const maxEvents = Number(this.env.MAX_EVENTS_PER_RUN);
    this.plan = { machine: machine.description, params: plan.params as Json, specs: plan.specs };
    this.rec = {
      id,
      state: "running",
      experiment: req.experiment,
      machine: machine.name,
      clockGHz: machine.clockGHz,
      engine: req.engine,
      trace: req.trace,
      maxEvents: req.trace ? Math.min(maxEvents, TRACE_MAX_EVENTS) : maxEvents,
      cores: plan.specs.map((s) => s.cores),
      current: 0,
      started: false,
      done: NO_TOTALS,
      live: NO_TOTALS,
      error: null,
      retries: 0,
      renewedAt: now,
      createdAt: now,
      updatedAt: now,
      endedAt: null,
    };
    this.store.atomically(() => {
      this.store.putDoc("plan", this.plan);
      this.persist();
    });
    await this.ctx.storage.setAlarm(now);
    return { ok: true, value: this.status()! };
  }

  /** Null when no job was started here (or it has expired). */
  status(): JobStatus | null {
    const r = this.rec;
    if (!r) return null;
    const runState = (i: number): RunState => {
      if (i < r.current) return "done";
      if (i > r.current) return "pending";
      if (r.state === "running") return r.engine === "durable" && !r.started ? "pending" : "running";
      return r.state === "cancelled" ? "cancelled" : "failed";
    };
    return {
      id: r.id,
      status: r.state,
      experiment: r.experiment,
      machine: r.machine,
      engine: r.engine,
      trace: r.trace,
      progress: {
        runs: r.cores.length,
        runsDone: Math.min(r.current, r.cores.length),
        windows: r.done.windows + r.live.windows,
        events: r.done.events + r.live.events,
        messages: r.done.messages + r.live.messages,
        simulatedCycles: r.done.simulatedCycles + r.live.simulatedCycles,
      },
      runs: r.cores.map((cores, i) => ({ cores, state: runState(i) })),
      result: r.state === "done" ? (this.store.getDoc<JobResult>("result") ?? null) : null,
      error: r.error,
      createdAt: r.createdAt,
      updatedAt: r.updatedAt,
      wallMs: r.endedAt === null ? null : r.endedAt - r.createdAt,
    };
  }

  /** Stop the job where it is; null when there is none. */
  async cancel(): Promise<JobStatus | null> {
    if (this.rec && !this.ended()) await this.end("cancelled", null);
    return this.status();
  }

  /** One core of one of the job's runs (by default the current or last), from its Core object. */
  async core(run: number | null, core: number): Promise<Answer<{ run: number; state: CoreState }>> {
    const r = this.rec;
    run ??= r ? Math.min(r.current, r.cores.length - 1) : 0;
    const bad = this.checkRun(run);
    if (!r || bad) return bad ?? MISSING;
    if (r.engine !== "durable") return refuse("conflict", "engine", "an inproc run has no core objects: its cores live in the job while it runs");
    if (!(Number.isInteger(core) && core >= 0 && core < r.cores[run])) return refuse("invalid", "core", `run ${run} has cores 0..${r.cores[run] - 1}`);
    if (run > r.current || (run === r.current && !r.started)) return refuse("conflict", "run", `run ${run} has not started yet`);
    const state = await this.runStub(run).core(core);
    return state ? { ok: true, value: { run, state } } : refuse("conflict", "run", `run ${run} has not booted its cores yet, or they have expired`);
  }

  /** The trace of one finished run, when the job keeps traces. (`trace` is reserved: a Worker's tail handler.) */
  async runTrace(run: number): Promise<Answer<JobTrace>> {
    const r = this.rec;
    const bad = this.checkRun(run);
    if (!r || bad) return bad ?? MISSING;
    if (!r.trace) return refuse("conflict", "trace", "the run was started without trace: true");
    if (run >= r.current) return refuse("conflict", "run", `run ${run} has not finished${r.state === "running" ? " yet" : ""}`);
    const records = r.engine === "durable" ? await this.runStub(run).traceRecords() : (this.store.getDoc<TraceRecord[]>(`trace:${run}`) ?? null);
    if (!records) return refuse("conflict", "run", `the trace of run ${run} has expired`);
    return { ok: true, value: { records, clockGHz: r.clockGHz, name: `${r.experiment} on ${r.machine}, run ${run} (${r.cores[run]} cores)` } };
  }

  override async alarm(): Promise<void> {
    const r = this.rec;
    if (!r) return;
    // An alarm set to drive the job may fire after it ended: it deletes the job only once it has expired.
    if (this.ended()) return Date.now() >= this.expiresAt() ? this.destroy() : this.ctx.storage.setAlarm(this.expiresAt());
    try {
      await this.renewLease();
      if (r.current < r.cores.length) await (r.engine === "durable" ? this.stepDurable() : this.stepInProcess());
      if (this.ended()) return;
      if (r.current === r.cores.length) return await this.summarize();
      r.retries = 0;
      this.persist();
      await this.ctx.storage.setAlarm(Date.now());
    } catch (e) {
      if (this.ended()) return;
      // Transient platform errors are worth a few more tries; the rest end the job.
      if ((e as { retryable?: boolean } | null)?.retryable === true && r.retries < MAX_RETRIES) {
        r.retries++;
        this.persist();
        await this.ctx.storage.setAlarm(Date.now() + 100 * 2 ** r.retries);
        return;
      }
      await this.end("failed", message(e));
    }
  }

  /** One slice of the current run on its Run object. A cancel() may land at any await: after each, an ended job stops. */
  private async stepDurable(): Promise<void> {
    const r = this.record();
    const i = r.current;
    const run = this.runStub(i);
    if (!r.started) {
      // A start cut short after the Run stored it must not be repeated: the Run refuses a second start.
      const known = await run.status();
      if (this.ended()) return;
      if (!known) await run.start(this.specs()[i], { trace: r.trace, limits: { maxEvents: r.maxEvents }, continueByAlarm: false });
      r.started = true;
      this.persist();
      // Cancelled while the Run started: end() did not know of it.
      if (this.ended()) return void (await run.cancel());
    }
    const s = await run.step();
    if (this.ended()) return;
    const { windows, events, messages, simulatedCycles } = s.progress;
    r.live = { windows, events, messages, simulatedCycles };
    if (s.state === "done") {
      const outcome = await run.outcome();
      if (this.ended()) return;
      if (!outcome) throw new Error(`run ${i} is done but has no outcome`);
      return this.runEnded(outcome, null);
    }
    if (s.state === "failed" || s.state === "cancelled") await this.end("failed", `run ${i} (${r.cores[i]} cores): ${s.error ?? s.state}`);
  }

  /** One slice of the current run on the in-process engine, here. */
  private async stepInProcess(): Promise<void> {
    const r = this.record();
    const i = r.current;
    let live = this.inproc;
    try {
      if (live?.index !== i) {
        const system = systemFor(this.specs()[i]);
        const transport = new InProcessTransport(system, r.trace);
        live = this.inproc = { index: i, transport, loop: await startLoop(transport), lookahead: system.lookahead, startedAt: Date.now() };
      }
      const limits: Limits = { ...NO_LIMITS, maxEvents: r.maxEvents };
      const until = live.loop.events + SLICE_EVENTS;
      while (!live.loop.stopped && live.loop.events < until) live.loop = await advance(live.transport, live.loop, live.lookahead, limits, 1);
    } catch (e) {
      // A kernel that throws: as a Run reports it.
      return this.end("failed", `run ${i} (${r.cores[i]} cores): ${message(e)}`);
    }
    const { windows, events, messages } = live.loop;
    r.live = { windows, events, messages, simulatedCycles: live.loop.next ?? r.live.simulatedCycles };
    if (!live.loop.stopped) return;
    this.inproc = null;
    const outcome = await finish(live.transport, live.loop, Date.now() - live.startedAt);
    await this.runEnded(outcome, outcome.trace);
  }

  /** Keep a run's outcome (and trace) and move on to the next; a run cut short by the event limit fails the job. */
  private async runEnded(outcome: RunOutcome, trace: TraceRecord[] | null): Promise<void> {
    const r = this.record();
    const i = r.current;
    if (outcome.stats.stopped !== "drained") {
      return this.end("failed", `run ${i} (${r.cores[i]} cores) stopped after ${outcome.stats.events} events: at most ${r.maxEvents} per run${r.trace ? " with a trace" : ""}`);
    }
    const { windows, events, messages, simulatedCycles } = outcome.stats;
    r.done = { windows: r.done.windows + windows, events: r.done.events + events, messages: r.done.messages + messages, simulatedCycles: r.done.simulatedCycles + simulatedCycles };
    r.live = NO_TOTALS;
    r.current++;
    r.started = false;
    this.store.atomically(() => {
      this.store.putDoc(`outcome:${i}`, { ...outcome, trace: null });
      if (trace) this.store.putDoc(`trace:${i}`, trace);
      this.persist();
    });
  }

  /** Every run is done: the experiment's rows and series, as the CLI prints them. */
  private async summarize(): Promise<void> {
    const r = this.record();
    const stored = this.storedPlan();
    const machine = Machine.from(stored.machine);
    const plan: Plan = { experiment: experimentByName(r.experiment)!, params: stored.params, specs: stored.specs };
    const outcomes = r.cores.map((_, i) => this.store.getDoc<RunOutcome>(`outcome:${i}`)!);
    const { hashes: _, ...result } = summarizeExperiment(plan, machine, outcomes, r.engine);
    this.store.putDoc("result", result);
    await this.end("done", null);
  }

  /** End the job: stop its current run, give the lease back, and expire later. */
  private async end(state: JobState, error: string | null): Promise<void> {
    const r = this.record();
    r.state = state;
    r.error = error;
    r.endedAt = Date.now();
    this.persist();
    this.inproc = null;
    await this.ctx.storage.setAlarm(this.expiresAt());
    // A Run the job no longer drives would never end, nor expire.
    if (r.engine === "durable" && r.started && r.current < r.cores.length) await this.runStub(r.current).cancel();
    await registryStub(this.env.REGISTRY).release(r.id);
  }

  private expiresAt(): number {
    return this.record().endedAt! + Number(this.env.RUN_RETENTION_SECONDS) * 1000;
  }

  private async renewLease(): Promise<void> {
    const r = this.record();
    if (Date.now() - r.renewedAt < LEASE_MS / 4) return;
    await registryStub(this.env.REGISTRY).renew(r.id);
    r.renewedAt = Date.now();
  }

  /** Delete the job; its Runs delete themselves when they expire. */
  private async destroy(): Promise<void> {
    await this.ctx.storage.deleteAlarm();
    await this.ctx.storage.deleteAll();
    this.rec = null;
    this.docs = null;
    this.plan = null;
    this.inproc = null;
  }

  /** A refusal when there is no job or no such run, else null. */
  private checkRun(run: number): { ok: false; refusal: Refusal } | null {
    if (!this.rec) return MISSING;
    const n = this.rec.cores.length;
    return Number.isInteger(run) && run >= 0 && run < n ? null : refuse("invalid", "run", `the job has runs 0..${n - 1}`);
  }

  private runStub(run: number): RunStub {
    return runStub(this.env.RUN, runName(this.record().id, run));
  }

  private storedPlan(): StoredPlan {
    return (this.plan ??= this.store.getDoc<StoredPlan>("plan")!);
  }

  private specs(): RunSpec[] {
    return this.storedPlan().specs;
  }

  private get store(): Store {
    return (this.docs ??= new Store(this.ctx.storage));
  }

  private persist(): void {
    const r = this.record();
    r.updatedAt = Date.now();
    this.store.put("job", r);
  }

  private ended(): boolean {
    return this.record().state !== "running";
  }

  private record(): JobRecord {
    if (!this.rec) throw new Error("no job here: start() it first");
    return this.rec;
  }
}

const refuse = (kind: Refusal["kind"], field: string | null, reason: string): { ok: false; refusal: Refusal } => ({ ok: false, refusal: { kind, field, reason } });

const MISSING = refuse("missing", "id", "no such run: it never existed or has expired");

const message = (e: unknown): string => (e instanceof Error ? e.message : String(e));
