// The Worker's HTTP face: the JSON API under /api, its OpenAPI document at
// /openapi.json, and the benchmarks' probe. The demo page (/), the API
// reference (/docs, over /openapi.json) and the favicon are static assets
// (web/, wrangler.toml's [assets]), served before the Worker is asked.
import { OpenAPIHono } from "@hono/zod-openapi";
import { bodyLimit } from "hono/body-limit";
import { methodNotAllowed } from "hono/method-not-allowed";
import type { AppEnv } from "../env.ts";
import { errorBody, MAX_BODY_BYTES } from "../core-object/protocol.ts";
import { fail, notFound, onError } from "./errors.ts";
import { bench } from "./routes/bench.ts";
import { experiments } from "./routes/experiments.ts";
import { machines } from "./routes/machines.ts";
import { runs } from "./routes/runs.ts";
import { skb } from "./routes/skb.ts";

const DOCUMENT = {
  openapi: "3.0.0",
  info: {
    title: "Edgefish API",
    version: "0.1.0",
    description:
      "The Barrelfish multikernel (SOSP 2009) as a simulator on Cloudflare Workers, every simulated core a Durable Object. Machines and their costs, the System Knowledge Base, and experiment runs. Errors are JSON naming the field at fault and the reason: {\"error\": {\"field\", \"reason\", \"issues\"}}.",
  },
  tags: [
    { name: "machines", description: "Machine descriptions, presets and their derived costs" },
    { name: "skb", description: "The System Knowledge Base: Prolog queries and routing trees" },
    { name: "runs", description: "Experiments, run on Durable Objects (one per simulated core) or in-process" },
  ],
};

export function createApp(): OpenAPIHono<AppEnv> {
  const app = new OpenAPIHono<AppEnv>();
  app.use(
    methodNotAllowed({
      app,
      onMethodNotAllowed: (c, methods) =>
        c.json(errorBody([{ field: "method", reason: `${c.req.method} is not allowed here; use ${methods.join(", ")}` }]), 405, { Allow: methods.join(", ") }),
    }),
  );
  app.use(
    bodyLimit({
      maxSize: MAX_BODY_BYTES,
      onError: () => {
        throw fail(413, "body", `larger than ${MAX_BODY_BYTES / 1024} KiB`);
      },
    }),
  );
  for (const routes of [machines, skb, experiments, runs, bench]) app.route("/", routes);

  app.doc("/openapi.json", DOCUMENT);

  app.notFound(notFound);
  app.onError(onError);
  return app;
}
