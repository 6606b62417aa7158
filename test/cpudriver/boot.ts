// Shared set-up: a core whose domains each own 1 MiB of RAM, carved by the CPU driver's own boot code.
import { CostModel, preset } from "../../src/hwmodel/index.ts";
import { bootDomain, CpuDriver, KernelError, MiB, type DomainCaps } from "../../src/cpudriver/index.ts";

export { bootDomain };

export { MiB };

export function costOf(name = "amd-8x4"): CostModel {
  const m = preset(name);
  if (!m) throw new Error(`no preset ${name}`);
  return new CostModel(m);
}

/** A core with domains 1..n, domain i's RAM at i MiB. */
export function bootCore(n: number, cost = costOf(), core = 0): { cpu: CpuDriver; caps: DomainCaps[] } {
  const cpu = new CpuDriver(core, cost);
  const caps = Array.from({ length: n }, (_, i) => bootDomain(cpu, i + 1, (i + 1) * MiB));
  return { cpu, caps };
}

/** The error code an operation fails with, or undefined when it succeeds. */
export function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    if (e instanceof KernelError) return e.code;
    throw e;
  }
  return undefined;
}
