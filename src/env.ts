// The Worker's bindings and vars, as declared in wrangler.toml: keep the two
// in step. The Durable Object namespaces are reached through the typed stubs
// of core-object/stubs.ts, so nothing here names the object classes.

export interface Env {
  RPC_PROBE: DurableObjectNamespace;
  CORE: DurableObjectNamespace;
  SIMULATION: DurableObjectNamespace;
  RUN: DurableObjectNamespace;
  REGISTRY: DurableObjectNamespace;
  MAX_CORES_PER_RUN: string;
  MAX_EVENTS_PER_RUN: string;
  MAX_CONCURRENT_RUNS: string;
  MAX_QUEUED_RUNS: string;
  RUN_RETENTION_SECONDS: string;
}

/** The HTTP app's environment (Hono): the Worker's bindings. */
export type AppEnv = { Bindings: Env };
