// Typed stubs of the objects, for the objects themselves and for the API. The
// stub types workers-types derives recurse through JSON values too deeply for
// TypeScript (TS2589), so each object's methods are the interfaces of
// protocol.ts, which its class implements; everything they pass is plain data.
import type { Core } from "./core.ts";
import { coreName, type CoreApi, type RegistryApi, type RunApi, type SimulationApi } from "./protocol.ts";
import type { Registry } from "./registry.ts";
import type { Run } from "./run.ts";
import type { Simulation } from "./simulation.ts";

/** An object's methods as a stub offers them: every one returns a promise. */
export type Remote<T> = {
  [M in keyof T]: T[M] extends (...args: infer A) => infer R ? (...args: A) => Promise<Awaited<R>> : never;
};

export type CoreStub = Remote<CoreApi>;
export type SimulationStub = Remote<SimulationApi>;
export type RunStub = Remote<RunApi>;
export type RegistryStub = Remote<RegistryApi>;

/** A stub's type is its interface: the one place where workers-types' own stub type is left behind. */
const as = <T>(stub: unknown): T => stub as T;

export const coreStub = (ns: DurableObjectNamespace<Core>, simulation: string, core: number): CoreStub => as(ns.getByName(coreName(simulation, core)));

export const simulationStub = (ns: DurableObjectNamespace<Simulation>, simulation: string): SimulationStub => as(ns.getByName(simulation));

export const runStub = (ns: DurableObjectNamespace<Run>, id: string): RunStub => as(ns.getByName(id));

/** The one Registry of a deployment. */
export const registryStub = (ns: DurableObjectNamespace<Registry>): RegistryStub => as(ns.getByName("registry"));
