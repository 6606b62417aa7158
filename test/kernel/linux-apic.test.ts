// Linux 2.6.26's IPI send path on the 8x4-core AMD (32 CPUs: physflat mode,
// one IPI per target in turn), worked out by hand with two and three
// targets: before each IPI the initiator reads ICR until the previous IPI
// has been accepted (the interrupt message there and the acceptance back,
// 2 x the wire), then writes ICR2 and ICR; each access to the local APIC is
// `a` cycles. On a machine of at most 8 CPUs (flat mode) one IPI with a
// logical mask reaches every target at once.
import { describe, expect, it } from "vitest";
import { CostModel, preset } from "../../src/hwmodel/index.ts";
import type { Application } from "../../src/kernel/index.ts";
import { SHARED_PAGE } from "../../src/cpudriver/index.ts";
import { runProtocol } from "../monitor/protocol-harness.ts";

const unmapOnce: Application = { initial: null, start: (os) => void os.unmap(SHARED_PAGE, "ipi") };

async function ipis(machine: string, cores: number) {
  const out = await runProtocol(machine, cores, [], { app: unmapOnce, starts: new Map([[0, null]]), personality: "linux" }, true);
  return out.trace!.flatMap((r) => (r.type === "send" && r.kind === "ipi" ? [{ dst: r.dst, time: r.time, arrival: r.arrival }] : []));
}

describe("Linux's APIC send path", () => {
  const m = preset("amd-8x4")!;
  const cost = new CostModel(m);
  const a = cost.apicAccess();
  const wire = (t: number) => cost.ipiWire(0, t);

  it("an APIC access is a round trip over the chip legs; an IPI to the next package crosses one link", () => {
    // chipLeg is 26 cycles on amd-8x4; core 1 shares core 0's package, core 4 is one link away.
    expect(a).toBe(52);
    expect(wire(1)).toBe(52);
    expect(wire(4)).toBeGreaterThan(52);
  });

  it("two targets: the second IPI waits until the first is accepted", async () => {
    const [first, second] = await ipis("amd-8x4", 3);
    expect([first.dst, second.dst]).toEqual([1, 2]);
    // No send pending at first: one read of ICR, then ICR2 and ICR.
    const start = first.time - 3 * a;
    expect(first.arrival).toBe(first.time + wire(1));
    // Accepted at first.time + 2 x wire(1); then the read and the two writes.
    expect(second.time).toBe(first.time + 2 * wire(1) + 3 * a);
    expect(second.time - start).toBe(6 * a + 2 * 52);
  });

  it("three targets: each IPI waits for its predecessor's acceptance", async () => {
    const sent = await ipis("amd-8x4", 4);
    expect(sent.map((s) => s.dst)).toEqual([1, 2, 3]);
    expect(sent[1].time).toBe(sent[0].time + 2 * wire(1) + 3 * a);
    expect(sent[2].time).toBe(sent[1].time + 2 * wire(2) + 3 * a);
    for (const s of sent) expect(s.arrival).toBe(s.time + wire(s.dst));
  });

  it("flat mode on a machine of 8 CPUs: one IPI, sent once, reaches every target", async () => {
    const sent = await ipis("intel-2x4", 4);
    expect(new Set(sent.map((s) => s.time)).size).toBe(1);
    expect(sent.map((s) => s.dst)).toEqual([1, 2, 3]);
  });
});
