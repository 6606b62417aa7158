// Typed stubs of the objects, for the objects themselves and for the API. The
// stub types workers-types derives recurse through JSON values too deeply for
// TypeScript (TS2589), so each object's methods are the interfaces of
// protocol.ts, which its class implements; everything they pass is plain data.
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

  call<T>(core: number, fn: (stub: CoreStub) => Promise<T>): Promise<T> {
    let stub = this.made.get(core);
    if (!stub) this.made.set(core, (stub = coreStub(this.ns, this.simulation, core)));
    return fn(stub).catch((e: unknown) => {
      if (this.made.get(core) === stub) this.made.delete(core);
      throw e;
    });
  }
}

export const simulationStub = (ns: DurableObjectNamespace, simulation: string): SimulationStub => as(ns.getByName(simulation));

export const runStub = (ns: DurableObjectNamespace, id: string): RunStub => as(ns.getByName(id));

/** The one Registry of a deployment. */
export const registryStub = (ns: DurableObjectNamespace): RegistryStub => as(ns.getByName("registry"));

export const probeStub = (ns: DurableObjectNamespace, name: string): ProbeStub => as(ns.getByName(name));
