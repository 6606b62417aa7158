// The experiments a run can name, with the parameters each takes.
import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import { EXPERIMENTS, PAPER_POINTS, sweepsCores } from "../../experiments/index.ts";
import type { AppEnv } from "../../env.ts";
import { validationHook } from "../errors.ts";
import { json } from "../schemas.ts";

export const experiments = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });

const Listing = z.object({
  experiments: z.array(
    z.object({
      name: z.string(),
      summary: z.string(),
      defaultMachine: z.string(),
      sweepsCores: z.boolean().openapi({ description: "Takes `cores`: the core counts to run; the others boot the cores they need" }),
      params: z.unknown().openapi({ description: "JSON Schema of `params`, defaults included" }),
      paper: z
        .object({
          machine: z.string().openapi({ description: "The machine the paper measured" }),
          note: z.string().openapi({ description: "Where the figures come from" }),
          points: z.array(
            z.object({
              series: z.string(),
              cores: z.number().int(),
              cycles: z.number(),
              from: z.enum(["figure", "text"]).openapi({ description: "figure: read off the plot (to about +-500-1000 cycles); text: stated in the text" }),
            }),
          ),
        })
        .nullable()
        .openapi({ description: "The paper's figures for the experiment's series (SOSP 2009, section 5), to set beside ours; null when it has none. The urpc and lrpc rows carry theirs (Tables 1 and 2)." }),
    }),
  ),
});

// The parameter schemas are fixed: convert them once.
const listing = {
  experiments: EXPERIMENTS.all.map((e) => ({
    name: e.name,
    summary: e.summary,
    defaultMachine: e.defaultMachine,
    sweepsCores: sweepsCores(e),
    params: z.toJSONSchema(e.params, { io: "input" }),
    paper: PAPER_POINTS[e.name] ?? null,
  })),
};

experiments.openapi(
  createRoute({
    method: "get",
    path: "/api/experiments",
    tags: ["runs"],
    summary: "The experiments and their parameters",
    responses: { 200: json(Listing, "Every experiment") },
  }),
  (c) => c.json(listing, 200),
);
