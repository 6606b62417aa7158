// The Run Durable Object: one run of an experiment through the API, named by
// its unguessable id. An experiment may need several simulations (shootdown
// boots one machine per protocol and core count, urpc one per class of core
// pair), so a run is a list of SimulationSpecs, each on its own Simulation
// object. They share nothing, so on the durable engine up to `parallel`
// (MAX_PARALLEL_SIMULATIONS) run at once, taken in plan order as places free
// up; the in-process engine runs them one after another in this object. A separate object, rather than a
// Simulation that knows about its siblings, keeps the Simulation what it is
// (one machine, one window loop) and gives the run one place for what spans
// its simulations: the plan, the outcomes so far, progress, the summary and
// the concurrency lease.
//
// Names derive from the run's: its i-th simulation is "<id>.<i>", whose cores
// are "<id>.<i>/<core>". The API only ever takes the run's id and an index
// checked here, so one run's objects cannot be reached through another's.
//
// Lifecycle: start() plans the simulations (the SKB computes their routes),
// takes a lease from the Registry and sets an alarm. Each alarm advances the
// simulations under way by one bounded slice: on the durable engine each
// place calls its Simulation's step() in turn (the run, not the Simulation's
// own alarms, drives it, so no time is lost polling), and a place whose
// simulation ends takes the next, until the slice's time is up; on the
// in-process engine it advances the simulation here by a bounded number of
// events. A simulation that ends hands its outcome to the run; once all have,
// the experiment summarises them in plan order, so results and hashes are
// those of one after another. A run that ends gives its lease back.
// Expected refusals come back as data, never as a rejected call.
import { limitOf, type Env } from "../env.ts";
import { Machine, type MachineDescription, type Table2Latency } from "../hwmodel/index.ts";
import { InProcessTransport, NO_LIMITS, SimulationLoop, type EngineName, type Json, type SimulationOutcome, type TraceRecord } from "../engine/index.ts";
import { EXPERIMENTS, ParamError, simulationTitle, summarizeExperiment, type ExperimentSet, type Plan, type SimulationSpec } from "../experiments/index.ts";
import { errorMessage, isTransient, Lifecycle, newLifecycle, type Final, type LifecycleRecord } from "./lifecycle.ts";
import {
  simulationName,
  TRACE_MAX_EVENTS,
  type Answer,
  type CoreState,
  type Faults,
  type Refusal,
  type RunApi,
  type RunRequest,
  type RunResult,
  type RunState,
  type RunStatus,
  type SimulationState,
  type SimulationTrace,
  type Watch,
} from "./protocol.ts";
import { LEASE_MS } from "./registry.ts";
import { registryStub, simulationStub, type SimulationStub } from "./stubs.ts";
import { MAX_FANOUT, settleAll } from "./tree.ts";

/**
 * A slice of the in-process engine: chunks of events with a pause between
 * them, in which the run answers reads and cancels, and at most this many
 * events or this much wall time, so that every slice ends soon.
 */
const SLICE = { chunk: 1_000, events: 100_000, ms: 500 };

/** A durable slice: after this long no place starts another step() (each is bounded by the Simulation), and the run persists its progress. */
const DURABLE_SLICE_MS = 1_000;

interface Totals {
  windows: number;
  events: number;
  messages: number;
  simulatedCycles: number;
}

const NO_TOTALS: Totals = { windows: 0, events: 0, messages: 0, simulatedCycles: 0 };

interface RunRecord extends LifecycleRecord {
  id: string;
  state: RunState;
  experiment: string;
  machine: string;
  clockGHz: number;
  /** How the machine's costs read Table 2 (absent in runs stored before it was recorded: the round trip then). */
  table2Latency?: Table2Latency;
  engine: EngineName;
  trace: boolean;
  faults: Faults | null;
  /** Faults injected into the finished simulations, and the roll-backs they caused. */
  faultsInjected: number;
  rollBacks?: number;
  maxEvents: number;
  /** Each simulation: label and cores; its hash once done; while it holds a place, its progress so far. */
  simulations: SimulationRecord[];
  /** Simulations run at once: MAX_PARALLEL_SIMULATIONS on the durable engine, 1 in-process. */
  parallel: number;
  /** The next simulation to take a place; those before it have had one. */
  next: number;
  /** The simulation whose failure failed the run, if one did. */
  culprit: number | null;
  /** Totals of the finished simulations. */
  done: Totals;
  renewedAt: number;
}

interface SimulationRecord {
  label: string;
  cores: number;
  hash: string | null;
  /** Its progress while it holds a place (null before and after). */
  live: Totals | null;
  /** Its Simulation object has been started (durable engine). */
  started: boolean;
}

/** The planned simulations and the parameters as parsed, stored beside the record. */
interface StoredPlan {
  machine: MachineDescription;
  params: Json;
  specs: SimulationSpec[];
}

/** An in-process simulation under way. It lives in memory; if the object is evicted, it starts over (it is deterministic). */
interface InProcessSimulation {
  index: number;
  loop: SimulationLoop;
}

export class Run extends Lifecycle<RunRecord> implements RunApi {
  /** The experiments a run plans from; a test worker adds its own. */
  protected readonly experiments: ExperimentSet = EXPERIMENTS;
  private plan: StoredPlan | null = null;
  private inproc: InProcessSimulation | null = null;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env, "run");
  }

  /** Plan the simulations and start the first, or say why not. The request has been validated by the API. */
  async start(req: RunRequest): Promise<Answer<RunStatus>> {
    const id = this.name("Run");
    if (this.rec) return refuse("conflict", "id", `run ${id} has already been started`);
    const machine = Machine.from(req.machine);
    let plan: Plan;
    try {
      plan = await this.experiments.plan(req.experiment, machine, req.params);
    } catch (e) {
      if (e instanceof ParamError) return refuse("params", e.field, e.reason);
      return refuse("unprocessable", null, `cannot plan ${req.experiment} on ${machine.name}: ${errorMessage(e)}`);
    }
    const maxCores = Number(this.env.MAX_CORES_PER_RUN);
    const big = plan.specs.find((s) => s.cores > maxCores);
    if (big) return refuse("unprocessable", "cores", `a simulation would boot ${big.cores} cores; at most ${maxCores} per run (MAX_CORES_PER_RUN)`);
    if (!plan.specs.length) return refuse("unprocessable", "machine", `${req.experiment} has nothing to run on ${machine.name}`);

    const now = Date.now();
    const maxEvents = Number(this.env.MAX_EVENTS_PER_RUN);
    this.plan = { machine: machine.description, params: plan.params as Json, specs: plan.specs };
    // Stored before the Registry is asked: it may admit the run from the queue before it answers.
    this.rec = {
      id,
      state: "queued",
      experiment: req.experiment,
      machine: machine.name,
      clockGHz: machine.clockGHz,
      table2Latency: machine.description.table2Latency ?? "round-trip",
      engine: req.engine,
      trace: req.trace,
      faults: req.faults,
      faultsInjected: 0,
      rollBacks: 0,
      maxEvents: req.trace ? Math.min(maxEvents, TRACE_MAX_EVENTS) : maxEvents,
      simulations: plan.specs.map((s) => ({ label: this.experiments.labelOf(s), cores: s.cores, hash: null, live: null, started: false })),
      parallel: this.parallelFor(req.engine),
      next: 0,
      culprit: null,
      done: NO_TOTALS,
      renewedAt: now,
      ...newLifecycle(now),
    };
    this.store.atomically(() => {
      this.store.putDoc("plan", this.plan);
      this.persist();
    });
    const place = await registryStub(this.env.REGISTRY).admit(id);
    if (place.state === "full") {
      await this.ctx.storage.deleteAll();
      this.rec = null;
      this.plan = null;
      return refuse("busy", null, `${place.running} runs are under way and ${place.queued} queued, the most this server takes (MAX_CONCURRENT_RUNS, MAX_QUEUED_RUNS)`);
    }
    if (place.state === "running") await this.proceed();
    return { ok: true, value: (await this.status())! };
  }

  /** From the Registry: the run holds a place. A queued run starts; a running one checks it is advancing. */
  async admitted(): Promise<Watch> {
    if (!this.rec) return "missing";
    await this.proceed();
    return this.watch();
  }

  /** Null when no run was started here (or it has expired). */
  async status(): Promise<RunStatus | null> {
    const r = this.rec;
    if (!r) return null;
    const queuePosition = r.state === "queued" ? await registryStub(this.env.REGISTRY).position(r.id) : null;
    const state = ({ hash, live, started }: SimulationRecord, i: number): SimulationState => {
      if (hash !== null) return "done";
      if (live === null || r.state === "queued") return "pending";
      if (r.state === "running") return r.engine === "durable" && !started ? "pending" : "running";
      return r.state === "failed" && (r.culprit === null || r.culprit === i) ? "failed" : "cancelled";
    };
    const simulations = r.simulations.map((sim, index) => ({ index, label: sim.label, cores: sim.cores, state: state(sim, index), hash: sim.hash }));
    const underWay = r.simulations.flatMap((sim, index) => (sim.live && simulations[index].state === "running" ? [{ index, label: sim.label, cores: sim.cores, ...sim.live }] : []));
    const live = (f: keyof Totals) => r.simulations.reduce((n, sim) => n + (sim.live?.[f] ?? 0), r.done[f]);
    const result = this.ended() ? (this.store.getDoc<Omit<RunResult, "missing">>("result") ?? null) : null;
    return {
      id: r.id,
      status: r.state,
      experiment: r.experiment,
      machine: r.machine,
      table2Latency: r.table2Latency ?? "round-trip",
      engine: r.engine,
      trace: r.trace,
      progress: {
        simulations: r.simulations.length,
        simulationsDone: simulations.filter((sim) => sim.state === "done").length,
        parallel: r.parallel,
        windows: live("windows"),
        events: live("events"),
        messages: live("messages"),
        simulatedCycles: live("simulatedCycles"),
        underWay,
      },
      queuePosition,
      faults: r.faults ? { injected: r.faultsInjected, rollBacks: r.rollBacks ?? 0 } : null,
      simulations,
      result: result && { ...result, missing: simulations.filter((sim) => sim.state !== "done").map(({ index, label, state }) => ({ index, label, state })) },
      error: r.error,
      createdAt: r.createdAt,
      updatedAt: r.updatedAt,
      wallMs: r.endedAt === null ? null : r.endedAt - r.createdAt,
    };
  }

  /** Stop the run where it is; null when there is none. */
  async cancel(): Promise<RunStatus | null> {
    if (this.rec && !this.ended()) await this.end("cancelled", null);
    return await this.status();
  }

  /** One core of one of the run's simulations (by default the first under way, else the last), from its Core object. */
  async core(simulation: number | null, core: number): Promise<Answer<{ simulation: number; state: CoreState }>> {
    const r = this.rec;
    if (simulation === null) {
      const first = r ? r.simulations.findIndex((sim) => sim.live !== null) : -1;
      simulation = first >= 0 ? first : r ? r.simulations.length - 1 : 0;
    }
    const bad = this.checkSimulation(simulation);
    if (!r || bad) return bad ?? MISSING;
    if (r.engine !== "durable") return refuse("conflict", "engine", "an inproc run has no core objects: its cores live in the run's own object while it runs");
    const { cores } = r.simulations[simulation];
    if (!(Number.isInteger(core) && core >= 0 && core < cores)) return refuse("invalid", "core", `simulation ${simulation} has cores 0..${cores - 1}`);
    const sim = r.simulations[simulation];
    if (sim.hash === null && !sim.started) return refuse("conflict", "simulation", `simulation ${simulation} has not started yet`);
    const state = await this.simulationStub(simulation).core(core);
    return state ? { ok: true, value: { simulation, state } } : refuse("conflict", "simulation", `simulation ${simulation} has not booted its cores yet, or they have expired`);
  }

  /** The trace of one finished simulation, when the run keeps traces. */
  async simulationTrace(simulation: number): Promise<Answer<SimulationTrace>> {
    const r = this.rec;
    const bad = this.checkSimulation(simulation);
    if (!r || bad) return bad ?? MISSING;
    if (!r.trace) return refuse("conflict", "trace", "the run was started without trace: true");
    if (r.simulations[simulation].hash === null) return refuse("conflict", "simulation", `simulation ${simulation} has not finished${r.state === "running" ? " yet" : ""}`);
    const records =
      r.engine === "durable" ? await this.simulationStub(simulation).traceRecords() : (this.store.getDoc<TraceRecord[]>(`trace:${simulation}`) ?? null);
    if (!records) return refuse("conflict", "simulation", `the trace of simulation ${simulation} has expired`);
    const { label } = r.simulations[simulation];
    return { ok: true, value: { records, clockGHz: r.clockGHz, name: simulationTitle(r.experiment, r.machine, label) } };
  }

  /** One finished simulation's spec, when the run keeps traces (so the simulation has at most TRACE_MAX_EVENTS events). */
  simulationSpec(simulation: number): Answer<SimulationSpec> {
    const r = this.rec;
    const bad = this.checkSimulation(simulation);
    if (!r || bad) return bad ?? MISSING;
    if (!r.trace) return refuse("conflict", "trace", "only a run started with trace: true can be replayed (the trace bounds its simulations)");
    if (r.simulations[simulation].hash === null) return refuse("conflict", "simulation", `simulation ${simulation} has not finished${r.state === "running" ? " yet" : ""}`);
    return { ok: true, value: this.specs()[simulation] };
  }

  protected async advance(): Promise<void> {
    const r = this.record();
    try {
      await this.renewLease();
      if (this.underWay().length) await (r.engine === "durable" ? this.stepDurable() : this.stepInProcess());
      if (this.ended()) return;
      if (this.finished().length === r.simulations.length) return await this.summarize();
      r.retries = 0;
      this.progressed();
      this.persist();
      await this.continueLater();
    } catch (e) {
      if (!this.ended()) await this.failed(e, isTransient(e));
    }
  }

  protected drivesItself(): boolean {
    return this.record().state === "running";
  }

  /** Stop the simulations under way, keep the results of those that finished, and give the place back. */
  protected override async onEnd(state: Final): Promise<void> {
    const r = this.record();
    this.inproc = null;
    // A Simulation the run no longer drives would never end, nor expire.
    if (r.engine === "durable") await settleAll(this.underWay().filter((i) => r.simulations[i].started).map((i) => this.simulationStub(i).cancel()));
    if (state !== "done" && this.finished().length > 0) {
      try {
        this.store.putDoc("result", this.summary());
      } catch (e) {
        r.error = `${r.error ?? state}; the simulations that finished could not be summarised: ${errorMessage(e)}`;
        this.persist();
      }
    }
    await registryStub(this.env.REGISTRY).release(r.id);
  }

  /** A queued run that holds a place now starts. */
  private async proceed(): Promise<void> {
    const r = this.record();
    if (r.state !== "queued") return;
    r.state = "running";
    r.renewedAt = Date.now();
    this.takePlaces();
    this.progressed();
    this.persist();
    await this.continueLater();
  }

  /** Its Simulations delete themselves when they expire. */
  protected override onDestroy(): void {
    this.plan = null;
    this.inproc = null;
  }

  /** Simulations run at once: the in-process engine runs them here, in one thread, so one after another. */
  protected parallelFor(engine: EngineName): number {
    return engine === "durable" ? limitOf(this.env, "MAX_PARALLEL_SIMULATIONS", 1, 2 * MAX_FANOUT) : 1;
  }

  /** How long a durable slice goes on starting steps. */
  protected sliceMs(): number {
    return DURABLE_SLICE_MS;
  }

  /** Give free places to the next simulations in plan order. */
  private takePlaces(): void {
    const r = this.record();
    for (let free = r.parallel - this.underWay().length; free > 0 && r.next < r.simulations.length; free--) {
      r.simulations[r.next++].live = NO_TOTALS;
    }
  }

  /** The simulations holding a place, in plan order. */
  private underWay(): number[] {
    return this.record().simulations.flatMap((sim, i) => (sim.live ? [i] : []));
  }

  /** The simulations that are done, in plan order. */
  private finished(): number[] {
    return this.record().simulations.flatMap((sim, i) => (sim.hash !== null ? [i] : []));
  }

  /**
   * One slice of the simulations under way, each on its Simulation object.
   * Every place steps its simulation until the slice's time is up; one whose
   * simulation ends takes the next, so a short simulation never waits for a
   * long one. The slice ends when every place's step in flight has.
   */
  private async stepDurable(): Promise<void> {
    const deadline = Date.now() + this.sliceMs();
    const place = async (i: number | undefined): Promise<void> => {
      while (i !== undefined && !this.ended()) {
        const ended = await this.stepSimulation(i);
        if (this.ended() || Date.now() >= deadline) return;
        if (ended) {
          i = this.underWay().find((j) => !placed.has(j));
          if (i !== undefined) placed.add(i);
        }
      }
    };
    const placed = new Set(this.underWay());
    await settleAll([...placed].map(place));
  }

  /** One step of simulation i on its Simulation object; true once it has ended. A cancel() may land at any await: after each, an ended run stops. */
  private async stepSimulation(i: number): Promise<boolean> {
    const r = this.record();
    const rec = r.simulations[i];
    const sim = this.simulationStub(i);
    if (!rec.started) {
      // A start cut short after the Simulation stored it must not be repeated: the Simulation refuses a second start.
      const known = await sim.status();
      if (this.ended()) return true;
      if (!known) await sim.start(this.specs()[i], { trace: r.trace, limits: { maxEvents: r.maxEvents }, continueByAlarm: false, faults: r.faults });
      rec.started = true;
      this.persist();
      // Cancelled while the Simulation started: onEnd() did not know of it.
      if (this.ended()) {
        await sim.cancel();
        return true;
      }
    }
    const s = await sim.step();
    if (this.ended()) return true;
    const { windows, events, messages, simulatedCycles } = s.progress;
    rec.live = { windows, events, messages, simulatedCycles };
    if (s.state === "done") {
      const outcome = await sim.outcome();
      if (this.ended()) return true;
      if (!outcome) throw new Error(`simulation ${i} is done but has no outcome`);
      r.faultsInjected += s.faults;
      r.rollBacks = (r.rollBacks ?? 0) + s.rollBacks;
      await this.simulationEnded(i, outcome, null);
      return true;
    }
    if (s.state === "failed" || s.state === "cancelled") {
      r.culprit = i;
      await this.end("failed", `${this.describe(i)}: ${s.error ?? s.state}`);
      return true;
    }
    return false;
  }

  /** One slice of the simulation under way on the in-process engine, here (one at a time: parallel is 1). */
  private async stepInProcess(): Promise<void> {
    const r = this.record();
    const [i] = this.underWay();
    let live = this.inproc;
    try {
      if (live?.index !== i) {
        const system = this.experiments.systemFor(this.specs()[i]);
        const loop = await SimulationLoop.start(new InProcessTransport(system, r.trace), system.lookahead, { ...NO_LIMITS, maxEvents: r.maxEvents });
        live = this.inproc = { index: i, loop };
      }
      const sim = live;
      await sim.loop.advanceSlice({
        chunk: SLICE.chunk,
        events: SLICE.events,
        deadline: Date.now() + SLICE.ms,
        clock: Date.now,
        pause: async () => {
          this.showProgress(sim.loop);
          await new Promise((resume) => setTimeout(resume, 0));
          // Cancelled meanwhile: onEnd() dropped the simulation.
          return this.inproc === sim;
        },
      });
    } catch (e) {
      // A kernel that throws: as a Simulation reports it.
      r.culprit = i;
      return this.end("failed", `${this.describe(i)}: ${errorMessage(e)}`);
    }
    if (this.inproc !== live) return;
    this.showProgress(live.loop);
    if (!live.loop.loop.stopped) return;
    this.inproc = null;
    const outcome = await live.loop.finish();
    await this.simulationEnded(i, outcome, outcome.trace);
  }

  /** The in-process simulation's progress so far, for status() (kept in memory until the slice persists it). */
  private showProgress(loop: SimulationLoop): void {
    const sim = this.record().simulations[this.inproc!.index];
    const { windows, events, messages, next } = loop.loop;
    sim.live = { windows, events, messages, simulatedCycles: next ?? sim.live?.simulatedCycles ?? 0 };
  }

  /** Keep simulation i's outcome (and trace) and give its place to the next; one cut short by the event limit fails the run. */
  private async simulationEnded(i: number, outcome: SimulationOutcome, trace: TraceRecord[] | null): Promise<void> {
    const r = this.record();
    const { stopped } = outcome.stats;
    if (stopped) r.culprit = i;
    if (stopped === "max-events") {
      return this.end("failed", `${this.describe(i)} stopped after ${outcome.stats.events} events: at most ${r.maxEvents} per simulation${r.trace ? " with a trace" : ""}`);
    }
    if (stopped === "max-cycles") return this.end("failed", `${this.describe(i)} stopped at ${outcome.stats.simulatedCycles} simulated cycles: past 2^53 the engine cannot count exactly`);
    const { windows, events, messages, simulatedCycles } = outcome.stats;
    r.done = { windows: r.done.windows + windows, events: r.done.events + events, messages: r.done.messages + messages, simulatedCycles: r.done.simulatedCycles + simulatedCycles };
    const sim = r.simulations[i];
    sim.live = null;
    sim.hash = outcome.hash;
    this.takePlaces();
    this.store.atomically(() => {
      this.store.putDoc(`outcome:${i}`, { ...outcome, trace: null });
      if (trace) this.store.putDoc(`trace:${i}`, trace);
      this.persist();
    });
  }

  /** Every simulation is done: the experiment's rows and series, as the CLI prints them. */
  private async summarize(): Promise<void> {
    this.store.putDoc("result", this.summary());
    await this.end("done", null);
  }

  /** The rows and series of the simulations that have finished, in plan order. */
  private summary(): Omit<RunResult, "missing"> {
    const r = this.record();
    const stored = this.storedPlan();
    const machine = Machine.from(stored.machine);
    const done = this.finished();
    const plan: Plan = { experiment: this.experiments.byName(r.experiment)!, params: stored.params, specs: done.map((i) => stored.specs[i]) };
    const outcomes = done.map((i) => this.store.getDoc<SimulationOutcome>(`outcome:${i}`)!);
    const { hashes: _, ...result } = summarizeExperiment(plan, machine, outcomes, r.engine);
    return result;
  }

  private async renewLease(): Promise<void> {
    const r = this.record();
    if (Date.now() - r.renewedAt < LEASE_MS / 4) return;
    await registryStub(this.env.REGISTRY).renew(r.id);
    r.renewedAt = Date.now();
  }

  /** A refusal when there is no run or no such simulation, else null. */
  private checkSimulation(simulation: number): { ok: false; refusal: Refusal } | null {
    if (!this.rec) return MISSING;
    const n = this.rec.simulations.length;
    return Number.isInteger(simulation) && simulation >= 0 && simulation < n ? null : refuse("invalid", "simulation", `the run has simulations 0..${n - 1}`);
  }

  /** A simulation as errors name it. */
  private describe(i: number): string {
    return `simulation ${i} (${this.record().simulations[i].label})`;
  }

  private simulationStub(i: number): SimulationStub {
    return simulationStub(this.env.SIMULATION, simulationName(this.record().id, i));
  }

  private storedPlan(): StoredPlan {
    return (this.plan ??= this.store.getDoc<StoredPlan>("plan")!);
  }

  private specs(): SimulationSpec[] {
    return this.storedPlan().specs;
  }
}

const refuse = (kind: Refusal["kind"], field: string | null, reason: string): { ok: false; refusal: Refusal } => ({ ok: false, refusal: { kind, field, reason } });

const MISSING = refuse("missing", "id", "no such run: it never existed or has expired");
