import type { Env } from "./env.ts";
import { createApp } from "./api/app.ts";

export { RpcProbe } from "./core-object/rpc-probe.ts";
export { Core } from "./core-object/core.ts";
export { Simulation } from "./core-object/simulation.ts";
export { Run } from "./core-object/run.ts";
export { Registry } from "./core-object/registry.ts";

const app = createApp();

export default {
  fetch: (request, env, ctx) => app.fetch(request, env, ctx),
} satisfies ExportedHandler<Env>;
