import { describe, expect, it } from "vitest";
import { CpuDriver, KernelError, type CpuDriverSnapshot, type DomainId, type Syscall } from "../../src/cpudriver/index.ts";
import type { Json } from "../../src/json.ts";
import { bootCore, costOf } from "./boot.ts";

const cost = costOf("amd-8x4");

/** Everything the engine can ask of a driver, as data. */
type Step =
  | { sys: Syscall; caller: DomainId }
  | { translate: number; domain: DomainId }
  | { schedule: true }
  | { ipi: DomainId | null }
  | { receive: DomainId };

function apply(cpu: CpuDriver, s: Step): unknown {
  try {
    if ("sys" in s) return cpu.syscall(s.caller, s.sys);
    if ("translate" in s) return cpu.translate(s.domain, s.translate);
    if ("schedule" in s) return cpu.schedule();
    if ("ipi" in s) return cpu.takeIpi(s.ipi ?? undefined);
    return cpu.receive(s.receive);
  } catch (e) {
    if (e instanceof KernelError) return { error: e.code };
    throw e;
  }
}

/** Three domains: 1 and 2 talk through an EndPoint of 2's, 3 maps memory; with some misuse along the way. */
function scenario(): { cpu: CpuDriver; steps: Step[] } {
  const { cpu, caps } = bootCore(3, cost);
  const [ep] = cpu.retype(2, caps[1].dispatcher, "EndPoint", 0, 1).refs;
  const clientEp = cpu.copy(2, ep, 1).ref;
  const [f0, f1] = caps[2].frames;
  const steps: Step[] = [
    { schedule: true },
    { sys: { op: "lrpc", ep: clientEp, payload: { call: "open", args: ["/x", 1] } }, caller: 1 },
    { sys: { op: "map", vaddr: 0x4000_0000_0000, frame: f0, pages: 8 }, caller: 3 },
    { translate: 0x4000_0000_0010, domain: 3 },
    { translate: 0x4000_0000_1010, domain: 3 },
    { sys: { op: "block" }, caller: 2 },
    { receive: 2 },
    { sys: { op: "lrpc", ep: clientEp, payload: "again" }, caller: 1 },
    { sys: { op: "retype", cap: f1, type: "Frame", objSize: 4096, count: 4 }, caller: 3 },
    { sys: { op: "retype", cap: f1, type: "Frame", objSize: 4096, count: 4 }, caller: 3 },
    { sys: { op: "delete", cap: f1 }, caller: 3 },
    { translate: 0x4000_0000_0020, domain: 3 },
    { schedule: true },
    { sys: { op: "yield" }, caller: 3 },
    { sys: { op: "unmap", vaddr: 0x4000_0000_0000, pages: 8 }, caller: 3 },
    { translate: 0x4000_0000_0010, domain: 3 },
    { ipi: 2 },
    { sys: { op: "revoke", cap: f1 }, caller: 3 },
    { sys: { op: "delete", cap: f1 }, caller: 3 },
    { sys: { op: "identify", cap: clientEp }, caller: 1 },
    { receive: 2 },
    { receive: 2 },
    { sys: { op: "invalidate", vaddr: 0x4000_0000_1000 }, caller: 3 },
    { schedule: true },
  ];
  return { cpu, steps };
}

/** Through a string, as a Durable Object's storage would take it. */
function persist(cpu: CpuDriver): CpuDriverSnapshot {
  return JSON.parse(JSON.stringify(cpu.snapshot())) as CpuDriverSnapshot;
}

describe("snapshot and restore", () => {
  it("round-trips exactly through JSON", () => {
    const { cpu, steps } = scenario();
    steps.slice(0, 12).forEach((s) => apply(cpu, s));
    const snap = persist(cpu);
    expect(snap).toEqual(cpu.snapshot());
    expect(CpuDriver.restore(snap, cost).snapshot()).toEqual(snap);
  });

  it("resumes identically from any point", () => {
    const reference = scenario();
    const expected = reference.steps.map((s) => apply(reference.cpu, s));
    expect(expected.some((r) => (r as { error?: string }).error)).toBe(true); // misuse is part of the script
    for (let k = 0; k <= reference.steps.length; k++) {
      const { cpu, steps } = scenario();
      const before = steps.slice(0, k).map((s) => apply(cpu, s));
      const resumed = CpuDriver.restore(persist(cpu), cost);
      const after = steps.slice(k).map((s) => apply(resumed, s));
      expect([...before, ...after]).toEqual(expected);
      expect(resumed.snapshot()).toEqual(reference.cpu.snapshot());
    }
  });

  it("is a copy: later operations do not change a snapshot taken earlier", () => {
    const { cpu, steps } = scenario();
    apply(cpu, steps[0]);
    apply(cpu, steps[1]);
    const snap = cpu.snapshot();
    const frozen = JSON.stringify(snap);
    steps.slice(2).forEach((s) => apply(cpu, s));
    expect(JSON.stringify(snap)).toBe(frozen);
    const payload = snap.scheduler.dispatchers[1].endpoint[0].payload as { args: Json[] };
    const restored = CpuDriver.restore(snap, cost);
    payload.args.push("mutated");
    expect(restored.receive(2).message?.payload).toEqual({ call: "open", args: ["/x", 1] });
  });

  it("refuses a snapshot of another version", () => {
    const { cpu } = scenario();
    const snap = { ...persist(cpu), version: 2 } as unknown as CpuDriverSnapshot;
    expect(() => CpuDriver.restore(snap, cost)).toThrow(/version 2/);
  });
});
