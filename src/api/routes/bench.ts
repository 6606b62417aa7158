// GET /__bench/rpc: the platform cost of one DO-to-DO RPC call (bench/rpc.ts).
// A tool for the benchmarks, left out of the API's documentation.
import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import { checkDriveArgs, type DriveResult } from "../../core-object/protocol.ts";
import { probeStub } from "../../core-object/stubs.ts";
import type { AppEnv } from "../../env.ts";
import { fail, validationHook } from "../errors.ts";
import { IntQuery, json } from "../schemas.ts";

export const bench = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });

const DEFAULT_CALLS = 1000;

bench.openapi(
  createRoute({
    method: "get",
    path: "/__bench/rpc",
    hide: true,
    request: { query: z.object({ n: IntQuery.optional(), inFlight: IntQuery.optional() }) },
    responses: { 200: json(z.custom<DriveResult>(), "Calls made and their cost") },
  }),
  async (c) => {
    const { n = DEFAULT_CALLS, inFlight = 1 } = c.req.valid("query");
    const bad = checkDriveArgs(n, inFlight);
    if (bad) throw fail(400, bad.field, bad.message);
    const driver = probeStub(c.env.RPC_PROBE, "bench-driver");
    return c.json(await driver.drive("bench-peer", n, inFlight), 200);
  },
);
