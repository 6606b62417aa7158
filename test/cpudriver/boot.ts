// Shared set-up: a core whose domains each own 1 MiB of RAM, carved the way a
// memory server would: a Dispatcher, a root VNode and 256 KiB of Frames.
import { CostModel, preset } from "../../src/hwmodel/index.ts";
import { CpuDriver, type CapRef, type DomainId } from "../../src/cpudriver/index.ts";

export const MiB = 1 << 20;

export function costOf(name = "amd-8x4"): CostModel {
  const m = preset(name);
  if (!m) throw new Error(`no preset ${name}`);
  return new CostModel(m);
}

export interface DomainCaps {
  ram: CapRef;
  dispatcher: CapRef;
  vnode: CapRef;
  /** Four 64 KiB Frames. */
  frames: CapRef[];
}

/** Give `domain` 1 MiB of RAM at `base`, carve it and spawn its dispatcher. */
export function bootDomain(cpu: CpuDriver, domain: DomainId, base: number): DomainCaps {
  const ram = cpu.insertCap({ type: "RAM", base, size: MiB }, domain).ref;
  const [d, v, f] = cpu.retype(domain, ram, "RAM", MiB / 4, 3).refs;
  const [dispatcher] = cpu.retype(domain, d, "Dispatcher", 1024, 1).refs;
  const [vnode] = cpu.retype(domain, v, "VNode", 4096, 1).refs;
  const frames = cpu.retype(domain, f, "Frame", 64 * 1024, 4).refs;
  cpu.spawn(domain, dispatcher, vnode);
  return { ram, dispatcher, vnode, frames };
}

/** A core with domains 1..n, domain i's RAM at i MiB. */
export function bootCore(n: number, cost = costOf(), core = 0): { cpu: CpuDriver; caps: DomainCaps[] } {
  const cpu = new CpuDriver(core, cost);
  const caps = Array.from({ length: n }, (_, i) => bootDomain(cpu, i + 1, (i + 1) * MiB));
  return { cpu, caps };
}
