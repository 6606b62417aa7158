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
  MAX_PARALLEL_SIMULATIONS: string;
  RUN_RETENTION_SECONDS: string;
}

/**
 * A limit of [vars] as a number, checked: an integer in [min, max], or an
 * error naming the variable, so a misconfigured deployment says what is wrong
 * instead of running with NaN.
 */
export function limitOf(env: Env, name: "MAX_PARALLEL_SIMULATIONS", min: number, max: number): number {
  const v = Number(env[name]);
  if (!(Number.isInteger(v) && v >= min && v <= max)) throw new RangeError(`${name} in wrangler.toml [vars]: must be an integer from ${min} to ${max}, got ${JSON.stringify(env[name])}`);
  return v;
}

/** The HTTP app's environment (Hono): the Worker's bindings. */
export type AppEnv = { Bindings: Env };
