import type { RpcProbe } from "./core-object/rpc-probe";

/** Bindings and vars declared in wrangler.toml; keep the two in step. */
export interface Env {
  RPC_PROBE: DurableObjectNamespace<RpcProbe>;
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
      durableNamespaces: "RpcProbe";
    }
  }
}
