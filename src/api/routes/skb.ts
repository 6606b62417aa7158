// The System Knowledge Base: Prolog queries over a machine's facts, and the
// routing trees its rules compute.
import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { preset, type Machine } from "../../hwmodel/index.ts";
import {
  ROUTE_KINDS,
  SkbFieldError,
  SkbLimitError,
  SkbQueryError,
  SkbSyntaxError,
  SystemKnowledgeBase,
  treeToDot,
} from "../../skb/index.ts";
import type { AppEnv } from "../../env.ts";
import { fail, validationHook } from "../errors.ts";
import { machineFrom } from "../machine-ref.ts";
import { errors, IntQuery, json, jsonBody, MachineRef, PresetName } from "../schemas.ts";

export const skb = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });

/** A preset's knowledge base is built once per isolate, under each reading of Table 2; a description's (even one named like a preset) for each request. */
const presetKbs = new Map<Machine, Promise<SystemKnowledgeBase>>();

function knowledgeBase(m: Machine): Promise<SystemKnowledgeBase> {
  if (preset(m.name) !== m && preset(m.name, "one-way") !== m) return SystemKnowledgeBase.for(m);
  let kb = presetKbs.get(m);
  if (!kb) presetKbs.set(m, (kb = SystemKnowledgeBase.for(m)));
  return kb;
}

/** The request field behind each of the SKB's limits; the rest are the server's, charged to the query. */
const LIMIT_FIELD: Partial<Record<SkbLimitError["limit"], string>> = { steps: "maxSteps", time: "maxMs" };

/** The SKB's errors as the API answers them (src/skb/errors.ts); anything else is rethrown. */
function skbError(e: unknown): never {
  if (e instanceof SkbSyntaxError) throw fail(400, "query", e.message, { position: e.position });
  if (e instanceof SkbFieldError) throw fail(400, e.field, e.reason);
  if (e instanceof SkbLimitError) throw fail(422, LIMIT_FIELD[e.limit] ?? "query", e.message, { limit: e.limit, answers: e.answers });
  if (e instanceof SkbQueryError) throw fail(422, "query", e.message, { term: e.term });
  throw e;
}

const QueryBody = z
  .strictObject({
    ...MachineRef,
    query: z.string().min(1, "must not be empty").max(10_000).openapi({ description: "One Prolog goal; the final '.' is optional", example: "rtt(0, B, C), C > 615" }),
    maxSteps: z.number().int().min(1).max(1_000_000).optional().openapi({ description: "Resolution steps allowed (default 100000)" }),
    maxMs: z.number().int().min(1).max(10_000).optional().openapi({ description: "Wall time allowed in ms (default 1000)" }),
    maxAnswers: z.number().int().min(1).max(1000).optional().openapi({ description: "Answers to return at most (default 100)" }),
  })
  .openapi("SkbQuery");

const Answers = z.object({
  machine: z.string(),
  answers: z.array(z.record(z.string(), z.unknown())).openapi({
    description:
      'One object per answer: variable -> value as JSON: numbers as numbers, atoms as strings, lists as arrays, compound terms as {"functor": "f", "args": [...]}, unbound variables as {"var": "_1"}',
  }),
  truncated: z.boolean().openapi({ description: "More answers may follow: raise maxAnswers" }),
  output: z.string().openapi({ description: "What the query printed (write/1, nl/0...), up to 64 KiB" }),
  outputTruncated: z.boolean().openapi({ description: "The query printed more than output holds" }),
});

skb.openapi(
  createRoute({
    method: "post",
    path: "/api/skb/query",
    tags: ["skb"],
    summary: "Ask the SKB a Prolog query over a machine's facts",
    description:
      "Facts: core/1, package/1, core_package/2, shares_cache/3, hops/3, rtt/3 and more (`npm run cli -- skb facts`). A query runs in a fresh state and may only read: builtins that change the database, flags or operators, or do input, are a permission error. A query that does not parse is a 400 with its `position`; one stopped by a limit (`limit`: steps, time, cells built, answer bytes, depth) or ended by an uncaught exception (its ISO `term`) a 422.",
    request: { body: jsonBody(QueryBody, "The machine and the query", { machine: "amd-8x4", query: "rtt(0, B, C), C > 615" }) },
    responses: { 200: json(Answers, "The answers"), ...errors(400, 413, 415, 422) },
  }),
  async (c) => {
    const { machine, machineDescription, assume, query, ...limits } = c.req.valid("json");
    const m = machineFrom({ machine, machineDescription, assume }, c.env);
    const result = await (await knowledgeBase(m)).query(query, limits).catch(skbError);
    return c.json({ machine: m.name, ...result }, 200);
  },
);

const RouteKind = z.enum(ROUTE_KINDS as [string, ...string[]], { error: `must be one of ${ROUTE_KINDS.join(", ")}` }).default("numa-multicast");
const RouteFormat = z.enum(["json", "dot"]).default("json").openapi({ description: "json, or Graphviz text (`dot -Tsvg`)" });
const ROUTE_ARGS = {
  root: "The core the tree starts from (default 0)",
  fanout: "Fan-out of a radix tree (default 2)",
  cores: "Span cores 0..cores-1 only (default all)",
};

const RouteQuery = z.strictObject({
  machine: PresetName,
  kind: RouteKind,
  root: IntQuery.optional().openapi({ description: ROUTE_ARGS.root }),
  fanout: IntQuery.optional().openapi({ description: ROUTE_ARGS.fanout }),
  cores: IntQuery.optional().openapi({ description: ROUTE_ARGS.cores }),
  format: RouteFormat,
});

const Count = z.number().int("must be an integer").min(0, "must be >= 0");

const RouteBody = z
  .strictObject({
    ...MachineRef,
    kind: RouteKind,
    root: Count.optional().openapi({ description: ROUTE_ARGS.root }),
    fanout: Count.optional().openapi({ description: ROUTE_ARGS.fanout }),
    cores: Count.optional().openapi({ description: ROUTE_ARGS.cores }),
    format: RouteFormat,
  })
  .openapi("RouteRequest");

const Tree = z
  .object({
    machine: z.string(),
    kind: z.string(),
    root: z.number().int(),
    fanout: z.number().int().optional(),
    edges: z.array(
      z.object({
        from: z.number().int(),
        to: z.number().int(),
        order: z.number().int().openapi({ description: "The sender's send order" }),
        cost: z.number().openapi({ description: "Round trip, cycles" }),
        bufferAt: z.number().int().openapi({ description: "The core whose memory holds the channel's buffer" }),
        shared: z.boolean().openapi({ description: "The broadcast's one shared channel" }),
      }),
    ),
  })
  .openapi("RoutingTree");

const TREE_ANSWER = {
  200: { description: "The tree", content: { "application/json": { schema: Tree }, "text/vnd.graphviz": { schema: z.string() } } },
};

type RouteArgs = { kind: string; root?: number; fanout?: number; cores?: number; format: "json" | "dot" };

async function tree(c: Context<AppEnv>, m: Machine, q: RouteArgs): Promise<Response> {
  const kb = await knowledgeBase(m);
  const t = await kb.route(q.kind, q.root ?? 0, { fanout: q.fanout, cores: q.cores }).catch(skbError);
  if (q.format === "dot") return c.body(treeToDot(t, m), 200, { "Content-Type": "text/vnd.graphviz; charset=utf-8" });
  return c.json(t, 200);
}

skb.openapi(
  createRoute({
    method: "get",
    path: "/api/skb/routes",
    tags: ["skb"],
    summary: "A routing tree the SKB computes: unicast, broadcast, multicast, numa-multicast or radix",
    request: { query: RouteQuery },
    responses: { ...TREE_ANSWER, ...errors(400, 422) },
  }),
  (c) => {
    const { machine, ...q } = c.req.valid("query");
    return tree(c, preset(machine)!, q);
  },
);

skb.openapi(
  createRoute({
    method: "post",
    path: "/api/skb/routes",
    tags: ["skb"],
    summary: "A routing tree over a preset or a described machine",
    description: "As GET /api/skb/routes, with the machine in the body: a preset's name or a machine description.",
    request: { body: jsonBody(RouteBody, "The machine and the tree", { machine: "amd-8x4", kind: "numa-multicast", root: 0 }) },
    responses: { ...TREE_ANSWER, ...errors(400, 413, 415, 422) },
  }),
  (c) => {
    const { machine, machineDescription, ...q } = c.req.valid("json");
    return tree(c, machineFrom({ machine, machineDescription }, c.env), q);
  },
);
