// Typed stubs of the objects, for the objects themselves and for the API.
// The stub types workers-types derives recurse through JSON values too deeply
// for TypeScript (TS2589), so the methods are restated from the classes;
// everything they pass is plain data, so the two agree.
import type { Core } from "./core.ts";
import type { Job } from "./job.ts";
import { coreName } from "./protocol.ts";
import type { Registry } from "./registry.ts";
import type { Run } from "./run.ts";

/** An object's methods as a stub offers them: every one returns a promise. */
export type Remote<T, K extends keyof T> = {
  [M in K]: T[M] extends (...args: infer A) => infer R ? (...args: A) => Promise<Awaited<R>> : never;
};

export type CoreStub = Remote<Core, "boot" | "window" | "deliver" | "collect" | "state" | "destroy">;
export type RunStub = Remote<Run, "start" | "run" | "status" | "outcome" | "traceRecords" | "core" | "cancel" | "step" | "destroy">;
export type JobStub = Remote<Job, "start" | "status" | "cancel" | "core" | "runTrace">;
export type RegistryStub = Remote<Registry, "acquire" | "renew" | "release" | "active">;

export const coreStub = (ns: DurableObjectNamespace<Core>, runId: string, core: number): CoreStub =>
  ns.getByName(coreName(runId, core)) as unknown as CoreStub;

export const runStub = (ns: DurableObjectNamespace<Run>, runId: string): RunStub => ns.getByName(runId) as unknown as RunStub;

export const jobStub = (ns: DurableObjectNamespace<Job>, id: string): JobStub => ns.getByName(id) as unknown as JobStub;

/** The one Registry of a deployment. */
export const registryStub = (ns: DurableObjectNamespace<Registry>): RegistryStub => ns.getByName("registry") as unknown as RegistryStub;
