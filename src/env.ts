import type { Core } from "./core-object/core.ts";
import type { Run } from "./core-object/run.ts";
import type { Registry } from "./core-object/registry.ts";
import type { RpcProbe } from "./core-object/rpc-probe";
import type { Simulation } from "./core-object/simulation.ts";

/** Bindings and vars declared in wrangler.toml; keep the two in step. */
export interface Env {
  RPC_PROBE: DurableObjectNamespace<RpcProbe>;
  CORE: DurableObjectNamespace<Core>;
  SIMULATION: DurableObjectNamespace<Simulation>;
  RUN: DurableObjectNamespace<Run>;
  REGISTRY: DurableObjectNamespace<Registry>;
  MAX_CORES_PER_RUN: string;
  MAX_EVENTS_PER_RUN: string;
  MAX_CONCURRENT_RUNS: string;
  RUN_RETENTION_SECONDS: string;
}

type EdgefishEnv = Env;

// Types `env` and `exports` from "cloudflare:workers" (and "cloudflare:test").
declare global {
  namespace Cloudflare {
    interface Env extends EdgefishEnv {}
    interface GlobalProps {
      mainModule: typeof import("./index");
      durableNamespaces: "RpcProbe" | "Core" | "Simulation" | "Run" | "Registry";
    }
  }
}
