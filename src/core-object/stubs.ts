// Typed stubs of the objects, for the objects themselves and for the API. The
// stub types workers-types derives recurse through JSON values too deeply for
// TypeScript (TS2589), so each object's methods are the interfaces of
// protocol.ts, which its class implements; everything they pass is plain data.
import { isTransient } from "./lifecycle.ts";
import { coreName, type CoreApi, type ProbeApi, type RegistryApi, type Remote, type RunApi, type SimulationApi } from "./protocol.ts";

export type CoreStub = Remote<CoreApi>;
export type SimulationStub = Remote<SimulationApi>;
export type RunStub = Remote<RunApi>;
export type RegistryStub = Remote<RegistryApi>;
export type ProbeStub = Remote<ProbeApi>;

/** A stub's type is its interface: the one place where workers-types' own stub type is left behind. */
const as = <T>(stub: unknown): T => stub as T;

export const coreStub = (ns: DurableObjectNamespace, simulation: string, core: number): CoreStub => as(ns.getByName(coreName(simulation, core)));

/**
 * Tries of one call to a core. Every call to a core may be made again (a
 * window asked for again is answered from its saved report, a boot or a
 * collection again changes nothing, deliveries are keyed), so its caller
 * makes a call that failed transiently again itself, after 10, 20 and 40 ms:
 * a failed delivery or a platform error then costs a call, not a retry of
 * the Simulation's whole chain of windows, and the Simulation's few retries
 * (lifecycle.ts) are left for failures that last. (A core that lost its
 * memory refuses for good, until the Simulation rolls every core back.)
 */
export const CALL_ATTEMPTS = 4;

/**
 * The stubs of one simulation's cores, each made once per object instance
 * that calls it: making one hashes its name, which locally adds 0.025 ms to
 * a bare call of 0.057 ms (`npm run bench -- --only rpc`'s probe, and the
 * probe changed to make a stub per call). A stub through which a call
 * failed is made anew: the platform may have broken it for every later
 * call.
 */
export class CoreStubs {
  private readonly made = new Map<number, CoreStub>();

  constructor(
    private readonly ns: DurableObjectNamespace,
    private readonly simulation: string,
  ) {}

  /** `fn` on the core's stub, made again (on a fresh stub) after a transient failure, CALL_ATTEMPTS times in all. */
  async call<T>(core: number, fn: (stub: CoreStub) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      let stub = this.made.get(core);
      if (!stub) this.made.set(core, (stub = coreStub(this.ns, this.simulation, core)));
      try {
        return await fn(stub);
      } catch (e) {
        if (this.made.get(core) === stub) this.made.delete(core);
        if (!isTransient(e) || attempt >= CALL_ATTEMPTS) throw e;
        await new Promise((r) => setTimeout(r, 10 * 2 ** (attempt - 1)));
      }
    }
  }
}

export const simulationStub = (ns: DurableObjectNamespace, simulation: string): SimulationStub => as(ns.getByName(simulation));

export const runStub = (ns: DurableObjectNamespace, id: string): RunStub => as(ns.getByName(id));

/** The one Registry of a deployment. */
export const registryStub = (ns: DurableObjectNamespace): RegistryStub => as(ns.getByName("registry"));

export const probeStub = (ns: DurableObjectNamespace, name: string): ProbeStub => as(ns.getByName(name));
