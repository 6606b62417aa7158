// The machines: the presets, one machine's topology and costs, and checking
// a description before using it.
import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import { PRESET_NAMES, machineListing, machineSummary, preset } from "../../hwmodel/index.ts";
import type { AppEnv } from "../../env.ts";
import { fail, validationHook } from "../errors.ts";
import { describedMachine } from "../machine-ref.ts";
import { Assume, errors, json, jsonBody, MachineDescription, MachineListingSchema, MachineSummarySchema } from "../schemas.ts";

/** Past this many cores a summary leaves out its cores x cores matrix. */
const MATRIX_MAX_CORES = 256;

export const machines = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });

machines.openapi(
  createRoute({
    method: "get",
    path: "/api/machines",
    tags: ["machines"],
    summary: "The preset machines (the paper's four, and a heterogeneous one)",
    responses: { 200: json(z.object({ machines: z.array(MachineListingSchema) }), "Every preset") },
  }),
  (c) => c.json({ machines: PRESET_NAMES.map((name) => machineListing(preset(name)!)) }, 200),
);

machines.openapi(
  createRoute({
    method: "get",
    path: "/api/machines/{id}",
    tags: ["machines"],
    summary: "One preset: topology, cache sharing, core-pair classes and the URPC round-trip matrix",
    request: {
      params: z.object({ id: z.string().openapi({ param: { name: "id", in: "path" }, example: "amd-8x4" }) }),
      query: z.strictObject({ assume: Assume.optional() }),
    },
    responses: { 200: json(MachineSummarySchema, "The machine"), ...errors(400, 404) },
  }),
  (c) => {
    const { id } = c.req.valid("param");
    const m = preset(id, c.req.valid("query").assume);
    if (!m) throw fail(404, "id", `unknown machine "${id}"; presets are ${PRESET_NAMES.join(", ")}`);
    return c.json(machineSummary(m), 200);
  },
);

machines.openapi(
  createRoute({
    method: "post",
    path: "/api/machines/validate",
    tags: ["machines"],
    summary: "Check a machine description and derive its summary",
    description: "A body that does not fit the format is a 400; one that fits but is not a machine (duplicate ids, a disconnected interconnect...) a 422. Either names every bad field.",
    request: {
      body: jsonBody(MachineDescription, "A machine description", {
        name: "pair",
        clockGHz: 2,
        packages: [{ id: 0, dies: [{ id: 0, cores: [0, 1] }] }],
        interconnect: { type: "fsb" },
      }),
    },
    responses: { 200: json(MachineSummarySchema, "The machine is valid"), ...errors(400, 413, 415, 422) },
  }),
  (c) => {
    const m = describedMachine(c.req.valid("json"));
    return c.json(machineSummary(m, { matrix: m.numCores <= MATRIX_MAX_CORES }), 200);
  },
);
