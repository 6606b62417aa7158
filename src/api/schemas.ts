// The schemas the routes share: they validate requests and, through
// @hono/zod-openapi, document requests and responses in /openapi.json.
import { z } from "@hono/zod-openapi";
import { MachineDescriptionSchema, PRESET_NAMES, TABLE2_LATENCY } from "../hwmodel/index.ts";
import { EXPERIMENTS } from "../experiments/index.ts";
import { MAX_BODY_BYTES, RunResultSchema, RunStatusSchema as RunStatusSchemaOfRun } from "../core-object/protocol.ts";

export const IssueSchema = z.object({
  field: z.string().nullable().openapi({ description: "The field at fault, e.g. `cores` or `params.protocols[0]`; null when no one field is." }),
  reason: z.string(),
});

export const ErrorSchema = z
  .object({
    error: z.looseObject({
      field: z.string().nullable(),
      reason: z.string(),
      issues: z.array(IssueSchema).openapi({ description: "Every problem found; `field` and `reason` are the first." }),
    }),
  })
  .openapi("Error");


const DESCRIPTIONS: Record<number, string> = {
  400: "Malformed request: bad JSON, wrong types, unknown fields, a bad argument",
  404: "No such resource",
  409: "Not available for this run, or not yet",
  413: `Body larger than ${MAX_BODY_BYTES / 1024} KiB`,
  415: "Body is not application/json",
  422: "Well-formed, but the machine, parameters or query cannot be used",
  429: "Too many runs under way and queued (MAX_CONCURRENT_RUNS, MAX_QUEUED_RUNS); see Retry-After",
};

/** The error responses a route can give, documented with the error shape. */
export const errors = (...codes: (keyof typeof DESCRIPTIONS)[]) =>
  Object.fromEntries(codes.map((code) => [code, { description: DESCRIPTIONS[code], content: { "application/json": { schema: ErrorSchema } } }]));

/** A JSON request body; every one carries an example (typed by its schema), which /docs offers to send. */
export const jsonBody = <T extends z.ZodType>(schema: T, description: string, example: z.input<T>) => ({
  required: true,
  description,
  content: { "application/json": { schema, example } },
});

export const json = <T extends z.ZodType>(schema: T, description: string) => ({ description, content: { "application/json": { schema } } });

/** A query-string integer: decimal digits only (Number() would take "", "1e3" or " 7"). */
export const IntQuery = z.string().regex(/^\d{1,9}$/, "must be a decimal integer >= 0").transform(Number);

/** A moment of a simulation in a query string: cycles, below 2^53. */
export const CycleQuery = z.string().regex(/^\d{1,15}$/, "must be a decimal integer of cycles >= 0, at most 15 digits").transform(Number);

export const PresetName = z.enum(PRESET_NAMES as [string, ...string[]], { error: `must be one of ${PRESET_NAMES.join(", ")}` }).openapi({ description: "A preset machine" });

// A copy of the hwmodel's schema, made after @hono/zod-openapi has extended
// zod: a schema made before (as the hwmodel's may be) has no .openapi().
export const MachineDescription = z.strictObject(MachineDescriptionSchema.shape).openapi("MachineDescription", {
  description: "A machine: packages of dies of cores (dense integer ids), shared caches, the interconnect, the clock, optional cost parameters and measured latencies",
});

/** How a preset's costs read the paper's Table 2 latency (a description says so itself, in table2Latency). */
export const Assume = z.enum(TABLE2_LATENCY, { error: `must be ${TABLE2_LATENCY.join(" or ")}` }).openapi({
  description: "A preset's costs as fitted reading Table 2's latency as a round trip (as ump_bench prints it, the default) or as one-way",
});

/** Either names a preset or describes a machine. */
export const MachineRef = {
  machine: PresetName.optional(),
  machineDescription: MachineDescription.optional().openapi({ description: "A machine description, instead of a preset" }),
  assume: Assume.optional(),
};

export const ExperimentName = z.enum(EXPERIMENTS.names as [string, ...string[]], {
  error: `must be one of ${EXPERIMENTS.names.join(", ")}`,
});

/** A run's id: 128 random bits in hex. */
export const RunId = z
  .string()
  .regex(/^[0-9a-f]{32}$/, "not a run id")
  .openapi({ param: { name: "id", in: "path" }, example: "3f2c0e8a9b7d4c1e8f6a5b4c3d2e1f00" });

export const MachineListingSchema = z
  .object({
    name: z.string(),
    cores: z.number().int(),
    packages: z.number().int(),
    clockGHz: z.number().openapi({ description: "The reference clock: simulated time counts its cycles" }),
    coreClocksGHz: z.array(z.number()).openapi({ description: "The cores' distinct clocks, fastest first (one on a homogeneous machine)" }),
    interconnect: z.enum(["hypertransport", "fsb"]),
    description: z.string(),
  })
  .openapi("MachineListing");

export const MachineSummarySchema = z
  .object({
    machine: z.unknown().openapi({ description: "The description, with the cost parameters in force filled in" }),
    cores: z.number().int(),
    packages: z.number().int(),
    diameter: z.number().int().openapi({ description: "Interconnect hops between the two furthest packages" }),
    coreClockGHz: z.array(z.number()).openapi({ description: "Each core's clock, GHz: its work takes clockGHz / coreClockGHz cycles of simulated time a cycle" }),
    pairClasses: z.array(
      z.object({
        pair: z.string().openapi({ description: "The class of core pair (Table 2): shared-cache, same-die, one-hop, ..." }),
        cores: z.tuple([z.number().int(), z.number().int()]),
        roundTrip: z.number().openapi({ description: "URPC round trip on an idle machine, cycles (the urpc experiment measures throughput too)" }),
      }),
    ),
    roundTrip: z
      .array(z.array(z.number()))
      .nullable()
      .openapi({ description: "roundTrip[a][b]: URPC round trip from core a to core b, cycles; null for a machine over 256 cores" }),
  })
  .openapi("MachineSummary");

// Copies of the objects' schemas (src/core-object/protocol.ts), made here for the same reason.
export const ResultSchema = z
  .object(RunResultSchema.shape)
  .openapi("Result", { description: "What `npm run cli -- run <experiment> --json` prints" });

export const RunStatusSchema = z.object({ ...RunStatusSchemaOfRun.shape, result: ResultSchema.nullable() }).openapi("RunStatus");

export const AcceptedSchema = z
  .object({ id: z.string(), status: RunStatusSchemaOfRun.shape.status, queuePosition: RunStatusSchemaOfRun.shape.queuePosition, location: z.string() })
  .openapi("Accepted", { description: "The run is under way, or queued: follow `location`" });
