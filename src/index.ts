import type { Env } from "./env";
import { checkDriveArgs } from "./core-object/rpc-probe";

export { RpcProbe } from "./core-object/rpc-probe";
export { Core } from "./core-object/core.ts";
export { Run } from "./core-object/run.ts";

const DEFAULT_CALLS = 1000;

function json(body: unknown, status = 200): Response {
  return Response.json(body, { status });
}

// Strict decimal integers only: Number() would also accept "", "1e3" or " 7".
function intParam(url: URL, name: string, fallback: number): number {
  const raw = url.searchParams.get(name);
  if (raw === null) return fallback;
  return /^\d{1,9}$/.test(raw) ? Number(raw) : NaN;
}

async function benchRpc(url: URL, env: Env): Promise<Response> {
  const n = intParam(url, "n", DEFAULT_CALLS);
  const inFlight = intParam(url, "inFlight", 1);
  const bad = checkDriveArgs(n, inFlight);
  if (bad) return json({ error: bad.message, field: bad.field }, 400);

  const driver = env.RPC_PROBE.get(env.RPC_PROBE.idFromName("bench-driver"));
  return json(await driver.drive("bench-peer", n, inFlight));
}

// The HTTP API proper (src/api, Hono) replaces this router.
export default {
  async fetch(request, env): Promise<Response> {
    const url = new URL(request.url);
    if (request.method !== "GET") return json({ error: "method not allowed" }, 405);
    switch (url.pathname) {
      case "/":
        return new Response("Edgefish: the Barrelfish multikernel, one Durable Object per core.\n");
      case "/__bench/rpc":
        return benchRpc(url, env);
      default:
        return json({ error: "not found" }, 404);
    }
  },
} satisfies ExportedHandler<Env>;
