// Runs: an experiment on a machine, as one or more simulations (booted
// machines) run one after another (src/core-object/run.ts), on Durable
// Objects or in the run's own object. Everything a request says is checked here before any
// object is touched; what only planning can find out comes back from the run
// as a refusal.
import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import { streamSSE } from "hono/streaming";
import { ENGINES, toChromeTrace, type Json } from "../../engine/index.ts";
import { EXPERIMENTS, ParamError, parseParams, sweepsCores, type Experiment } from "../../experiments/index.ts";
import type { Machine } from "../../hwmodel/index.ts";
import { FaultsSchema, TRACE_MAX_EVENTS, type RunStatus, type Refusal } from "../../core-object/protocol.ts";
import { runStub, type RunStub } from "../../core-object/stubs.ts";
import { missingCores } from "../../core-object/faults.ts";
import type { AppEnv } from "../../env.ts";
import { ApiError, fail, refusalError, validationHook } from "../errors.ts";
import { machineFrom } from "../machine-ref.ts";
import { replayCore } from "../replay.ts";
import { AcceptedSchema, CycleQuery, errors, ExperimentName, IntQuery, json, jsonBody, MachineRef, RunId, RunStatusSchema } from "../schemas.ts";

export const runs = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });

/** How often a waiting request or an event stream looks at the run. */
const POLL_MS = 200;
/** How long `wait` waits before answering 202 after all. */
const WAIT_MS = 30_000;

const CoreCount = z.number({ error: "must be a number" }).int("must be an integer").min(1, "at least 1 core");

const RunBody = z
  .strictObject({
    experiment: ExperimentName,
    ...MachineRef,
    cores: z
      .union([CoreCount, z.array(CoreCount).min(1, "name at least one core count").max(64, "at most 64 core counts")], {
        // The branch of the input's own type says what is wrong with it (an item of a list by its place).
        error: (iss) => {
          const errors = (iss as { errors?: { message: string; path: PropertyKey[] }[][] }).errors;
          const [first] = (Array.isArray(iss.input) ? errors?.[1] : typeof iss.input === "number" ? errors?.[0] : undefined) ?? [];
          if (!first) return "must be a number of cores or a list of them";
          return first.path.length ? `item ${String(first.path[0])}: ${first.message}` : first.message;
        },
      })
      .optional()
      .openapi({
        description:
          "Cores to boot, 1..min(the machine's cores, MAX_CORES_PER_RUN); a list sweeps them, one simulation each. Only for experiments that sweep cores (GET /api/experiments); their default sweep when left out.",
        example: 4,
      }),
    params: z.record(z.string(), z.unknown()).optional().openapi({ description: "The experiment's parameters (GET /api/experiments), e.g. {\"protocols\": [\"unicast\"], \"reps\": 1}" }),
    engine: z.enum(ENGINES).default("durable").openapi({ description: "durable: one Durable Object per core; inproc: every core in the run's own object" }),
    trace: z.boolean().default(false).openapi({ description: `Keep each simulation's trace for /trace (each then handles at most ${TRACE_MAX_EVENTS} events)` }),
    wait: z.boolean().default(false).openapi({ description: `Answer 200 with the result if the run ends within ${WAIT_MS / 1000} s` }),
    faults: FaultsSchema.optional().openapi({
      description: "Durable engine: faults to inject into the core objects (evict, restart, failed and repeated deliveries); the result and hashes stay those of the fault-free run",
      example: { seed: 7, restart: { rate: 0.2 }, failDeliveries: 0.1 },
    }),
  })
  .openapi("RunRequest");

const Id = z.object({ id: RunId });
const NoQuery = z.strictObject({});
const SimulationIndex = z.strictObject({
  simulation: IntQuery.optional().openapi({ description: "Which of the run's simulations (booted machines), from 0: see the status's `simulations`" }),
});

const notFound = (id: string) => fail(404, "id", `no run ${id}: it never existed or has expired`);

async function statusOf(run: RunStub, id: string): Promise<RunStatus> {
  const s = await run.status();
  if (!s) throw notFound(id);
  return s;
}

/** 128 random bits: run ids are the only handle on a run. */
const newRunId = (): string => Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, "0")).join("");

/** An experiment's parameter as the request named it: top-level `cores`, or under `params`. */
const paramField = (field: string, topCores: boolean): string => (topCores && /^cores\b/.test(field) ? "cores" : field === "params" ? field : `params.${field}`);

/**
 * The experiment's parameters, `cores` merged in, checked as far as they can
 * be without planning. (A machine has at most MAX_CORES_PER_RUN cores, so its
 * own count bounds `cores`.)
 */
function runParams(e: Experiment<unknown>, body: z.infer<typeof RunBody>, machine: Machine): Json {
  const params: Record<string, unknown> = { ...body.params };
  const { cores } = body;
  if (cores !== undefined) {
    if (!sweepsCores(e)) throw fail(422, "cores", `${e.name} boots the cores it needs: leave cores out`);
    if ("cores" in params) throw fail(400, "cores", "give cores or params.cores, not both");
    const list = Array.isArray(cores) ? cores : [cores];
    const bad = list.find((n) => n > machine.numCores);
    if (bad !== undefined) throw fail(422, "cores", `must be 1..${machine.numCores}: ${machine.name} has ${machine.numCores} cores, not ${bad}`);
    params.cores = list;
  }
  try {
    parseParams(e, params);
  } catch (err) {
    if (err instanceof ParamError) throw fail(422, paramField(err.field, cores !== undefined), err.reason);
    throw err;
  }
  return params as Json;
}

function startRefused(r: Refusal, topCores: boolean): ApiError {
  return r.kind === "params" ? fail(422, paramField(r.field ?? "params", topCores), r.reason) : refusalError(r);
}

const underWay = (s: RunStatus): boolean => s.status === "queued" || s.status === "running";

/** The run's status each time it changes, until it ends or expires, `stop()` says so, or `deadline` passes. */
async function* watch(run: RunStub, stop: () => boolean, deadline = Infinity): AsyncGenerator<RunStatus> {
  let last = "";
  for (;;) {
    const s = await run.status();
    if (!s) return;
    const key = `${s.status} ${s.queuePosition} ${JSON.stringify(s.progress)}`;
    if (key !== last) yield s;
    last = key;
    if (!underWay(s) || stop() || Date.now() >= deadline) return;
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}

runs.openapi(
  createRoute({
    method: "post",
    path: "/api/runs",
    tags: ["runs"],
    summary: "Start an experiment",
    description:
      `Plans the experiment's simulations (one booted machine each) and runs them one after another. Answers 202 with the run's id and a Location header at once, or, with \`wait\`, 200 with the finished run if it ends within ${WAIT_MS / 1000} s. Past MAX_CONCURRENT_RUNS runs under way the run is queued (status \`queued\`, with its \`queuePosition\`); past MAX_QUEUED_RUNS more it is refused with 429.`,
    request: {
      query: z.strictObject({ wait: z.enum(["true", "false"]).optional().openapi({ description: "Same as the body's wait" }) }),
      body: jsonBody(RunBody, "What to run", {
        experiment: "shootdown",
        machine: "amd-4x4",
        cores: [2, 4],
        params: { protocols: ["numa-multicast"], reps: 1 },
        engine: "inproc",
        trace: true,
      }),
    },
    responses: {
      200: json(RunStatusSchema, "The run ended while the request waited"),
      202: {
        ...json(AcceptedSchema, "The run is under way"),
        headers: { Location: { schema: { type: "string" }, description: "The run: /api/runs/{id}" } },
      },
      ...errors(400, 413, 415, 422, 429),
    },
  }),
  async (c) => {
    const body = c.req.valid("json");
    const e = EXPERIMENTS.byName(body.experiment)!;
    const machine = machineFrom(body, c.env, e.defaultMachine);
    const params = runParams(e, body, machine);
    if (body.faults && body.engine !== "durable") throw fail(422, "faults", "only the durable engine has objects to fault: give engine durable");
    const missing = body.faults ? missingCores(body.faults, machine.numCores) : [];
    if (missing.length) throw new ApiError(422, missing.map((i) => ({ ...i, field: `faults.${i.field}` })));
    const id = newRunId();
    const run = runStub(c.env.RUN, id);
    const started = await run.start({ experiment: e.name, machine: machine.description, params, engine: body.engine, trace: body.trace, faults: body.faults ?? null });
    if (!started.ok) throw startRefused(started.refusal, body.cores !== undefined);
    const location = `/api/runs/${id}`;
    if (body.wait || c.req.valid("query").wait === "true") {
      let last: RunStatus | null = null;
      for await (const s of watch(run, () => false, Date.now() + WAIT_MS)) last = s;
      if (last && !underWay(last)) return c.json(last, 200, { Location: location });
    }
    const { status, queuePosition } = started.value;
    return c.json({ id, status, queuePosition, location }, 202, { Location: location });
  },
);

runs.openapi(
  createRoute({
    method: "get",
    path: "/api/runs/{id}",
    tags: ["runs"],
    summary: "A run's state, progress, and result once done",
    request: { params: Id, query: NoQuery },
    responses: { 200: json(RunStatusSchema, "The run"), ...errors(400, 404) },
  }),
  async (c) => {
    const { id } = c.req.valid("param");
    return c.json(await statusOf(runStub(c.env.RUN, id), id), 200);
  },
);

runs.openapi(
  createRoute({
    method: "delete",
    path: "/api/runs/{id}",
    tags: ["runs"],
    summary: "Cancel a run",
    description: "Stops the run where it is; a run that has ended is left as it is. Either way the run expires RUN_RETENTION_SECONDS after it ended.",
    request: { params: Id, query: NoQuery },
    responses: { 200: json(RunStatusSchema, "The run, as it now stands"), ...errors(400, 404) },
  }),
  async (c) => {
    const { id } = c.req.valid("param");
    const s = await runStub(c.env.RUN, id).cancel();
    if (!s) throw notFound(id);
    return c.json(s, 200);
  },
);

runs.openapi(
  createRoute({
    method: "get",
    path: "/api/runs/{id}/trace",
    tags: ["runs"],
    summary: "The trace of one finished simulation of a run, in Chrome's trace event format (open it in Perfetto)",
    description: "Only for a run started with `trace: true`. `simulation` picks the simulation (default 0).",
    request: { params: Id, query: SimulationIndex },
    responses: { 200: json(z.unknown(), "Chrome trace events"), ...errors(400, 404, 409) },
  }),
  async (c) => {
    const { id } = c.req.valid("param");
    const simulation = c.req.valid("query").simulation ?? 0;
    const answer = await runStub(c.env.RUN, id).simulationTrace(simulation);
    if (!answer.ok) throw refusalError(answer.refusal);
    return c.json(toChromeTrace([{ index: simulation, ...answer.value }]), 200, { "Content-Disposition": `attachment; filename="edgefish-${id}-${simulation}.json"` });
  },
);

const CoreStateSchema = z
  .object({
    id: z.string(),
    simulation: z.number().int(),
    core: z.number().int(),
    at: z.number().nullable().openapi({ description: "The moment replayed (`at`), in cycles; null for the core's object as it stands" }),
    window: z.number().int().nullable().openapi({ description: "The last window the core handled; -1 after boot; null when replayed" }),
    clock: z.number(),
    next: z.number().nullable().openapi({ description: "Its earliest pending event; null when none" }),
    pending: z.number().int().openapi({ description: "Events queued" }),
    events: z.number().int(),
    messages: z.number().int(),
    hash: z.string(),
    kernel: z.unknown().openapi({ description: "The kernel's summary: channels, replica" }),
  })
  .openapi("CoreState");

runs.openapi(
  createRoute({
    method: "get",
    path: "/api/runs/{id}/cores/{core}",
    tags: ["runs"],
    summary: "One core of a run, as it stands or at a moment: clock, queue, channels, replica",
    description:
      "Without `at`: from the core's own Durable Object (durable runs only); `simulation` picks the simulation (default: the current one, or the last). With `at`: the core after every event that started before that cycle, replayed in-process from the simulation's plan (either engine: the simulation is deterministic); for a finished simulation (default 0) of a run started with `trace: true`.",
    request: {
      params: z.object({ id: RunId, core: IntQuery.openapi({ param: { name: "core", in: "path" }, example: "0" }) }),
      query: SimulationIndex.extend({
        at: CycleQuery.optional().openapi({ description: "A moment of the simulation, in cycles from its start: replay up to it" }),
      }),
    },
    responses: { 200: json(CoreStateSchema, "The core"), ...errors(400, 404, 409) },
  }),
  async (c) => {
    const { id, core } = c.req.valid("param");
    const { simulation, at } = c.req.valid("query");
    const run = runStub(c.env.RUN, id);
    if (at !== undefined) {
      const index = simulation ?? 0;
      const spec = await run.simulationSpec(index);
      if (!spec.ok) throw refusalError(spec.refusal);
      if (core >= spec.value.cores) throw fail(400, "core", `simulation ${index} has cores 0..${spec.value.cores - 1}`);
      return c.json({ id, simulation: index, at, window: null, ...(await replayCore(spec.value, core, at)) }, 200);
    }
    const answer = await run.core(simulation ?? null, core);
    if (!answer.ok) throw refusalError(answer.refusal);
    const { simulation: _, ...state } = answer.value.state;
    return c.json({ id, simulation: answer.value.simulation, at: null, ...state }, 200);
  },
);

runs.openapi(
  createRoute({
    method: "get",
    path: "/api/runs/{id}/events",
    tags: ["runs"],
    summary: "Server-sent events: `progress` as the run goes on, then `done` when it ends",
    description: "Each event's data is the run's status, as GET /api/runs/{id} gives it; `done` carries the result.",
    request: { params: Id, query: NoQuery },
    responses: { 200: { description: "An event stream", content: { "text/event-stream": { schema: z.string() } } }, ...errors(400, 404) },
  }),
  async (c) => {
    const { id } = c.req.valid("param");
    const run = runStub(c.env.RUN, id);
    await statusOf(run, id);
    return streamSSE(c, async (stream) => {
      for await (const s of watch(run, () => stream.aborted)) {
        await stream.writeSSE({ event: underWay(s) ? "progress" : "done", data: JSON.stringify(s) });
      }
    });
  },
);
