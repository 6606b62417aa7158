// Running the monitors' protocols on a small machine, with routes from the SKB.
import { simulateInProcess, type Json, type SimulationOutcome } from "../../src/engine/index.ts";
import { kernelSystem, routesFor, type KernelSystemOptions } from "../../src/experiments/index.ts";
import { preset } from "../../src/hwmodel/index.ts";
import type { RouteKind } from "../../src/skb/index.ts";

export interface CoreResult {
  records: Record<string, Json[]>;
  channels: { sent: number; received: number };
  blocks: number;
  replica: string;
  tlbHoldsSharedPage: boolean;
}

export const resultOf = (out: SimulationOutcome, core: number) => out.cores[core].result as unknown as CoreResult;

export async function runProtocol(machine: string, cores: number, kinds: RouteKind[], o: KernelSystemOptions<Json, Json, Json> & { roots?: number[] }, trace = false): Promise<SimulationOutcome> {
  const m = preset(machine)!;
  const spec = { experiment: "test", machine: m.description, cores, params: null, routes: await routesFor(m, cores, kinds, o.roots) };
  return simulateInProcess(kernelSystem(spec, o), { trace });
}
