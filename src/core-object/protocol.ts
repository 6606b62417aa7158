// What the objects say to each other and to the API: the methods each object
// offers over RPC and the plain data they pass. Everything here crosses a
// Durable Object boundary by structured clone (Infinity means "no pending
// event"), and nothing here imports the Workers runtime, so the API, the CLI
// and the bench can use it as well as the objects.
import { z } from "zod";
import { ENGINES, type CollectedCore, type EngineName, type Json, type Limits, type SimEvent, type SimulationOutcome, type TraceRecord, type WindowRule } from "../engine/index.ts";
import type { SimulationSpec } from "../experiments/index.ts";
import { TABLE2_LATENCY, type MachineDescription } from "../hwmodel/index.ts";

// --- Errors: the one JSON shape of every error the API answers, which the
// local server's front (src/cli/serve.ts) answers in too:
//   {"error": {"field": "cores", "reason": "...", "issues": [{"field", "reason"}, ...]}}

export interface Issue {
  /** Dotted path of the offending field (`cores`, `params.protocols[0]`, `machineDescription.packages[1].id`), or null when no one field is at fault. */
  field: string | null;
  reason: string;
}

/** Issues an error lists at most: a 256 KiB body could hold a hundred thousand bad values. */
export const MAX_ISSUES = 50;

/** `field` and `reason` are the first issue's; `issues` lists every one found, up to MAX_ISSUES. */
export function errorBody(issues: Issue[], details: Record<string, unknown> = {}) {
  const listed = issues.length > MAX_ISSUES ? [...issues.slice(0, MAX_ISSUES), { field: null, reason: `and ${issues.length - MAX_ISSUES} more issues` }] : issues;
  return { error: { field: issues[0]?.field ?? null, reason: issues[0]?.reason ?? "error", issues: listed, ...details } };
}

/** The largest body a request may have. */
export const MAX_BODY_BYTES = 256 * 1024;

/** What an object's watchdog found (lifecycle.ts): nothing to do, the object resumed, failed, or was deleted (it had expired). */
export type Watch = "missing" | "ok" | "waiting" | "ended" | "resumed" | "failed" | "expired";

/** An object's methods as a stub offers them: every one returns a promise. */
export type Remote<T> = {
  [M in keyof T]: T[M] extends (...args: infer A) => infer R ? (...args: A) => Promise<Awaited<R>> : never;
};

// --- Names. A run's i-th simulation is "<run>.<i>"; a simulation's core c is "<simulation>/<c>".

export const simulationName = (run: string, index: number): string => `${run}.${index}`;
export const coreName = (simulation: string, core: number): string => `${simulation}/${core}`;

// --- Core <-> Simulation: the barrier tree.

// --- Faults to inject (faults.ts): which core objects to evict or restart, at which windows; deliveries to fail or repeat.

const FaultTarget = z.strictObject({
  cores: z.array(z.number().int().min(0)).min(1).max(64).optional().describe("The cores it may hit, each one the machine has; any when left out"),
  windows: z.array(z.number().int().min(0)).min(1).max(64).optional().describe("The windows it may hit, from 0; any when left out"),
  rate: z.number().gt(0, "must be > 0").max(1).default(1).describe("The chance it hits each of those cores in each of those windows, drawn from the seed"),
});

export const FaultsSchema = z.strictObject({
  seed: z.number().int().min(0).max(2 ** 32 - 1).default(1).describe("Every random choice is drawn from it: the same faults every time (1 when left out)"),
  evict: FaultTarget.optional().describe("Drop a core object's memory before it handles a window, as the platform evicts an object: it is rebuilt from storage, and if it had done anything since the last group commit every core rolls back to that commit"),
  restart: FaultTarget.optional().describe("Reset a core object in the middle of a window, after it sent its messages and before it logged the window: its memory goes, the call fails, and every core rolls back to the last group commit"),
  failDeliveries: z.number().min(0).max(1).default(0).describe("The share of deliveries that fail once, before they land or after (their answer lost), and are retried"),
  duplicateDeliveries: z.number().min(0).max(1).default(0).describe("The share of batches delivered twice"),
});

export type Faults = z.output<typeof FaultsSchema>;

/** How a simulation's cores behave; fixed when they boot. */
export interface CoreOptions {
  /** Keep trace records. */
  trace: boolean;
  /** Subtree roots any one object calls per operation (the barrier tree's fan-out). */
  fanout: number;
  /** Faults to inject; null for none. */
  faults: Faults | null;
}

/** A window's messages from one core to another. */
export interface Batch {
  core: number;
  events: SimEvent[];
}

/**
 * Windows between two group commits of a simulation (core.ts): the cores keep
 * what each window did in memory, and every this many windows the Simulation
 * has every core it touched write it, then saves its loop. A core that lost
 * its memory in between makes every core go back to the commit. A commit per
 * window and per delivery had cost the default shootdown sweep 2.6 SQLite
 * commits per message, 43% of its wall time (README, issue 14); between two
 * commits a core now writes once, to mark itself changed.
 */
export const COMMIT_WINDOWS = 128;

/** What a core says when it has lost the windows since the last commit: the Simulation then rolls every core back to it. */
export const LOST = "lost its memory of the windows since the last commit";

export const isLost = (e: unknown): boolean => (e instanceof Error ? e.message : String(e)).includes(LOST);

export interface CoreInit {
  simulation: string;
  /**
   * The simulation's spec as JSON text: one string crosses each hop of the
   * boot tree as a copy, where a spec's objects (its routes' edges, thousands
   * at 1024 cores) would be cloned one by one at every hop.
   */
  spec: string;
  options: CoreOptions;
}

/** Durable Object calls an operation made below its caller. */
export interface Calls {
  total: number;
  /** The most calls one object made: subtree roots, plus deliveries in a window (at most twice the fan-out). */
  peak: number;
  /** The most subtree roots of the barrier one object called: the tree's fan-out as it was. */
  fanout: number;
  /** Levels of objects the operation went through. */
  depth: number;
}

export const NO_CALLS: Calls = { total: 0, peak: 0, fanout: 0, depth: 0 };

/** The calls of a subtree whose root called `roots` subtree roots and made `other` further calls. */
export function subtreeCalls(roots: number, other: number, below: Calls[]): Calls {
  return {
    total: below.reduce((s, c) => s + c.total, roots + other),
    peak: below.reduce((m, c) => Math.max(m, c.peak), roots + other),
    fanout: below.reduce((m, c) => Math.max(m, c.fanout), roots),
    depth: 1 + below.reduce((m, c) => Math.max(m, c.depth), 0),
  };
}

/**
 * A simulation's calls by the operation they were made in: its windows (the
 * deliveries of their messages, one per sender and destination of a window,
 * and the calls that start cores' windows, through the barrier tree or from a
 * baton's holder), then its boot, group commits, collection and roll-backs,
 * each a call per core it reached.
 */
export interface CallsByKind {
  windows: number;
  boots: number;
  commits: number;
  collections: number;
  rollBacks: number;
}

export const NO_CALLS_BY_KIND: CallsByKind = { windows: 0, boots: 0, commits: 0, collections: 0, rollBacks: 0 };

/** Calls of two operations together. */
export function addCalls(a: Calls, b: Calls): Calls {
  return {
    total: a.total + b.total,
    peak: Math.max(a.peak, b.peak),
    fanout: Math.max(a.fanout, b.fanout),
    depth: Math.max(a.depth, b.depth),
  };
}

/**
 * A core whose kernel failed (threw, or broke a bound of the simulation). It
 * comes back up the tree as data, not as an exception: exceptions are left to
 * the transport's own failures, which are worth retrying; a kernel's are not.
 */
export interface Failure {
  core: number;
  message: string;
}

export const isFailure = (x: object): x is Failure => "message" in x;

/** The failure of the lowest-numbered core, so the simulation's error does not depend on timing. */
export function firstFailure(fs: (Failure | null)[]): Failure | null {
  return fs.reduce<Failure | null>((a, f) => (f && (!a || f.core < a.core) ? f : a), null);
}

export interface BootSummary {
  /** (core, earliest pending event) pairs, flat. */
  next: number[];
  failure: Failure | null;
  calls: Calls;
}

/** What some cores did in a window (one core's report, or a subtree's summed), as the agenda takes it in. */
export interface WindowPart {
  events: number;
  messages: number;
  /**
   * (core, earliest pending event) pairs, flat, for every core that handled
   * the window; taken when the core finished, so it may miss messages other
   * cores were still sending it, which `sent` accounts for.
   */
  next: number[];
  /** (destination core, earliest arrival) pairs, flat, of the messages sent in the window. */
  sent: number[];
  /** Characters of state the cores saved, and the length of their whole states (what saving all of it would write). */
  stored: Stored;
}

/** What a subtree of cores answers for one window. */
export interface WindowSummary extends WindowPart {
  /** The windows after this one that the cores ran on its baton, in order, each in the parts its cores answered (baton.ts); none when it had none. */
  passed: WindowPart[][];
  failure: Failure | null;
  calls: Calls;
}

/** The barrier as the cores pass it on (baton.ts). */
export interface Baton {
  /** Every core's earliest pending event before the window (Infinity: none). */
  agenda: Float64Array;
  rule: WindowRule;
  /** No window starts at or after this time (the simulation's maxCycles). */
  maxCycles: number;
  /** Events the simulation may handle before it stops at maxEvents. */
  eventsLeft: number;
  /** Windows the baton may still run after this one. */
  windows: number;
}

/** A core's report of its window, as it keeps it to answer again. */
export interface CoreWindow {
  core: number;
  events: number;
  messages: number;
  next: number;
  /** (destination, earliest arrival) pairs, flat. */
  sent: number[];
  stored: Stored;
}

/** What a delivery answers: its calls, and the windows run from the window it started (each in its parts; the first is that window). */
export interface Delivered {
  calls: Calls;
  passed: WindowPart[][];
  failure: Failure | null;
}

/** A window a delivery starts at its first batch's core: with the baton, which then goes on from there, or without (the sender holds it). */
export interface Handoff {
  window: number;
  bound: number;
  baton: Baton | null;
}

export interface Stored {
  written: number;
  whole: number;
}

export const NOTHING_STORED: Stored = { written: 0, whole: 0 };

export const addStored = (a: Stored, b: Stored): Stored => ({ written: a.written + b.written, whole: a.whole + b.whole });

export interface CollectSummary {
  cores: CollectedCore[];
  /** Faults the cores injected. */
  faults: number;
  /** Each core's trace records in the order it made them, when the simulation keeps a trace. */
  traces: { core: number; records: TraceRecord[] }[] | null;
  calls: Calls;
}

/** One core as the API shows it. */
export interface CoreState {
  simulation: string;
  core: number;
  /** The last window the core handled; -1 after boot. */
  window: number;
  clock: number;
  /** Its earliest pending event; null when none. */
  next: number | null;
  pending: number;
  events: number;
  messages: number;
  hash: string;
  /** The kernel's own summary (channels, replica). */
  kernel: Json;
}

/** A group commit of a subtree of cores: the whole states' chunks it wrote (the windows' log rows aside), and its calls. */
export interface CommitSummary {
  written: number;
  calls: Calls;
}

export interface CoreApi {
  boot(init: CoreInit, tree: number[]): Promise<BootSummary>;
  /** With a `baton`, this core (the tree's root) holds it: it starts the rest of the tree, then runs its own window and goes on (baton.ts). */
  window(window: number, bounds: number[], tree: number[], baton?: Baton | null): Promise<WindowSummary>;
  deliver(batches: Batch[], fault?: "before" | "after" | null, handoff?: Handoff | null): Promise<Delivered>;
  collect(tree: number[]): Promise<CollectSummary>;
  /** Write what the subtree's cores did since the last commit. */
  commit(tree: number[]): Promise<CommitSummary>;
  /** Every core of the subtree forgets what it did since the last commit. */
  rollBack(simulation: string, tree: number[]): Promise<Calls>;
  state(): CoreState;
  destroy(simulation: string, tree: number[]): Promise<void>;
}

// --- Simulation: one booted machine.

/** Where a simulation (or a run) stands; the last three are final. */
export type SimulationState = "pending" | "booting" | "running" | "done" | "failed" | "cancelled";

export interface SimulationOptions {
  /** Keep every core's trace records, for traceRecords(). Default false. */
  trace?: boolean;
  /** Stop after this many events, or before events arriving at this cycle. */
  limits?: Partial<Limits>;
  /** Windows one invocation advances, those run on a baton included (the last call's baton may run up to 8 past them). Default 256. */
  windowsPerInvocation?: number;
  /** Windows between two group commits of the cores (core.ts), at most: 1 commits after every window. Default COMMIT_WINDOWS. */
  commitWindows?: number;
  /** The barrier tree's fan-out, 2..8. Default 8. */
  fanout?: number;
  /**
   * DO calls the Simulation may make in one invocation, at most 1000 (the
   * platform's subrequest limit). Default 500. A core's calls need no
   * budget: the trees bound them to twice the fan-out.
   */
  maxCallsPerInvocation?: number;
  /** Continue by alarm (default); false: advance only when step() is called. */
  continueByAlarm?: boolean;
  /** Faults to inject into the simulation's core objects. Default none. */
  faults?: Faults | null;
  /** How windows are cut (horizons.ts): per-core horizons (default), or the global window they replaced, to compare. */
  windows?: WindowRule;
  /** Windows the cores may run on a baton after a window the Simulation started (baton.ts), 0..8; 0 starts every window from the Simulation. Default 8. */
  baton?: number;
}

export interface SimulationProgress {
  windows: number;
  events: number;
  messages: number;
  /** Simulated time reached: the earliest pending event while running, the latest core clock when done. */
  simulatedCycles: number;
}

export interface SimulationStatus {
  simulation: string;
  state: SimulationState;
  experiment: string;
  cores: number;
  progress: SimulationProgress;
  /**
   * Durable Object calls the simulation has made; the Simulation object's
   * invocations, and the most calls it made itself in one of them.
   */
  calls: Calls & { invocations: number; ownPeak: number; byKind: CallsByKind };
  /** What the cores' windows saved of their states, against saving them whole each window. */
  stored: Stored;
  /** Faults injected into its core objects (known once it is done). */
  faults: number;
  /** Times every core rolled back to the last commit, because one had lost its memory since. */
  rollBacks: number;
  error: string | null;
  createdAt: number;
  updatedAt: number;
  /** Wall time from start() to the end, once ended. */
  wallMs: number | null;
}

export interface SimulationApi {
  start(spec: SimulationSpec, options?: SimulationOptions): Promise<SimulationStatus>;
  run(spec: SimulationSpec, options?: SimulationOptions): Promise<{ status: SimulationStatus; outcome: SimulationOutcome | null }>;
  status(): SimulationStatus | null;
  outcome(): SimulationOutcome | null;
  traceRecords(): TraceRecord[] | null;
  core(core: number): Promise<CoreState | null>;
  cancel(): Promise<SimulationStatus | null>;
  step(windows?: number): Promise<SimulationStatus>;
  watch(): Promise<Watch>;
  destroy(): Promise<void>;
}

// --- Run: one experiment on one machine, as the API and the CLI know it.

/** A traced run keeps every record until it ends (about 200 bytes an event): this bounds each simulation. */
export const TRACE_MAX_EVENTS = 50_000;

export interface RunRequest {
  experiment: string;
  machine: MachineDescription;
  /** The experiment's parameters as the user gave them. */
  params: Json;
  engine: EngineName;
  trace: boolean;
  /** Faults to inject (durable engine); null for none. */
  faults: Faults | null;
}

const Totals = {
  windows: z.number().int(),
  events: z.number().int(),
  messages: z.number().int(),
  simulatedCycles: z.number(),
};

const SimulationStateSchema = z.enum(["pending", "booting", "running", "done", "failed", "cancelled"] satisfies SimulationState[]);
const RunStateSchema = z.enum(["queued", "running", "done", "failed", "cancelled"]).describe(
  "queued: waiting for one of the MAX_CONCURRENT_RUNS places; running; then done, failed (`error` says why) or cancelled",
);

const SimulationEntry = {
  index: z.number().int(),
  label: z.string().describe("What the simulation measures, e.g. `numa-multicast, 8 cores`"),
  cores: z.number().int(),
  state: SimulationStateSchema,
};

/** What a finished run gives: what `cli run <experiment> --json` prints, and which simulations it leaves out. */
export const RunResultSchema = z.object({
  experiment: z.string(),
  machine: z.string(),
  engine: z.enum(ENGINES),
  rows: z.array(z.unknown()).describe("The experiment's table, one object per row"),
  series: z.array(z.object({ name: z.string(), points: z.array(z.object({ cores: z.number().int(), cycles: z.number() })) })),
  stats: z.object({ ...Totals, wallMs: z.number().describe("The simulations' wall times, summed: more than the run took when they ran in parallel") }),
  lines: z
    .array(
      z.object({
        simulation: z.string(),
        line: z.string(),
        home: z.number().int(),
        transactions: z.number().int(),
        meanWait: z.number(),
        maxWait: z.number(),
      }),
    )
    .describe("The cache lines that queued the longest at their homes: transactions and their queueing in cycles"),
  missing: z
    .array(z.object({ index: SimulationEntry.index, label: SimulationEntry.label, state: SimulationStateSchema }))
    .describe("The simulations the rows and series leave out, because the run failed or was cancelled before they finished; empty when the run is done"),
});

/** A run's status: what GET /api/runs/{id} answers and the Run object's status() returns, from this one definition. */
export const RunStatusSchema = z.object({
  id: z.string(),
  status: RunStateSchema,
  experiment: z.string(),
  machine: z.string(),
  table2Latency: z.enum(TABLE2_LATENCY).describe("How the machine's costs read the paper's Table 2 latency (`assume` on a preset, or the description's own)"),
  engine: z.enum(ENGINES),
  trace: z.boolean(),
  progress: z.object({
    simulations: z.number().int().describe("Simulations (booted machines) the experiment needs"),
    simulationsDone: z.number().int(),
    parallel: z.number().int().describe("Simulations run at once: MAX_PARALLEL_SIMULATIONS on the durable engine, 1 in-process (one after another)"),
    ...Totals,
    underWay: z
      .array(z.object({ index: SimulationEntry.index, label: SimulationEntry.label, cores: SimulationEntry.cores, ...Totals }))
      .describe("The simulations running now, each with its progress so far (the totals above include it)"),
  }),
  queuePosition: z.number().int().nullable().describe("Its place in the queue while queued (1 starts next); null otherwise"),
  faults: z
    .object({
      injected: z.number().int().describe("Faults injected into the finished simulations' objects"),
      rollBacks: z.number().int().describe("Times a finished simulation's cores all went back to their last group commit, because one had lost its memory since"),
    })
    .nullable()
    .describe("For a run started with faults; null otherwise"),
  simulations: z.array(z.object({ ...SimulationEntry, hash: z.string().nullable().describe("The simulation's hash once it is done: equal on both engines, with or without faults") })),
  result: RunResultSchema.nullable().describe(
    "Once the run has ended: the rows and series of every simulation that finished (all of them when done; `missing` lists the others); null while it runs, or when none finished",
  ),
  error: z.string().nullable(),
  createdAt: z.number(),
  updatedAt: z.number(),
  wallMs: z.number().nullable(),
});

export type RunState = z.infer<typeof RunStateSchema>;
export type RunStatus = z.infer<typeof RunStatusSchema>;
export type RunResult = z.infer<typeof RunResultSchema>;

/**
 * Why the run will not do what was asked. kind: `params` (the experiment
 * refused a parameter; `field` is the parameter's), `unprocessable` (the plan
 * is beyond this server), `invalid` (a bad argument), `conflict` (not now, or
 * not for this run), `busy` (too many runs under way and queued), `missing` (no such run).
 */
export interface Refusal {
  kind: "params" | "unprocessable" | "invalid" | "conflict" | "busy" | "missing";
  field: string | null;
  reason: string;
}

export type Answer<T> = { ok: true; value: T } | { ok: false; refusal: Refusal };

export interface SimulationTrace {
  records: TraceRecord[];
  clockGHz: number;
  name: string;
}

export interface RunApi {
  start(req: RunRequest): Promise<Answer<RunStatus>>;
  status(): Promise<RunStatus | null>;
  cancel(): Promise<RunStatus | null>;
  core(simulation: number | null, core: number): Promise<Answer<{ simulation: number; state: CoreState }>>;
  simulationTrace(simulation: number): Promise<Answer<SimulationTrace>>;
  /** One finished simulation of a traced run, as planned: to replay it up to a moment (the trace bounds its events). */
  simulationSpec(simulation: number): Answer<SimulationSpec>;
  watch(): Promise<Watch>;
  /** From the Registry: the run holds a place; a queued run starts, a running one is watched. */
  admitted(): Promise<Watch>;
}

// --- Registry: the runs under way, and the queue.

/** A run's place: running (it holds a lease), queued at `position` (1 starts next), or refused: the queue is full. */
export type Admission = { state: "running" } | { state: "queued"; position: number } | { state: "full"; running: number; queued: number };

export interface RegistryApi {
  admit(run: string): Promise<Admission>;
  /** A queued run's place in the queue, 1 starting next; null when it is not queued. */
  position(run: string): number | null;
  renew(run: string): void;
  release(run: string): Promise<void>;
  /** Runs holding a lease now. */
  active(): string[];
  queued(): string[];
}

// --- RpcProbe: the platform cost of one DO-to-DO call, for the bench.

// A drive is one invocation making up to MAX_CALLS subrequests; 10,000 is the
// platform's default per-invocation subrequest limit on paid plans.
export const MAX_CALLS = 10_000;
export const MAX_IN_FLIGHT = 256;

export interface DriveResult {
  calls: number;
  inFlight: number;
  wallMs: number;
  msPerCall: number;
}

export interface ArgError {
  field: "n" | "inFlight";
  message: string;
}

export function checkDriveArgs(n: number, inFlight: number): ArgError | null {
  if (!Number.isInteger(n) || n < 1 || n > MAX_CALLS) {
    return { field: "n", message: `n must be an integer in [1, ${MAX_CALLS}]` };
  }
  if (!Number.isInteger(inFlight) || inFlight < 1 || inFlight > Math.min(n, MAX_IN_FLIGHT)) {
    return {
      field: "inFlight",
      message: `inFlight must be an integer in [1, min(n, ${MAX_IN_FLIGHT})]`,
    };
  }
  return null;
}

export interface ProbeApi {
  ping(x: number): number;
  drive(peerName: string, n: number, inFlight: number): Promise<DriveResult>;
}
