import { describe, expect, it } from "vitest";
import { SHARED_PAGE } from "../../src/cpudriver/index.ts";
import type { Application } from "../../src/kernel/index.ts";
import { resultOf, runProtocol } from "./protocol-harness.ts";

const KINDS = ["unicast", "broadcast", "multicast", "numa-multicast"] as const;

const unmapOnce = (kind: string): Application => ({
  initial: null,
  start: (os) => void os.unmap(SHARED_PAGE, kind),
  done: (os, r) => os.record("done", r as never),
});

describe("unmap: TLB shootdown over the SKB's trees", () => {
  for (const kind of KINDS) {
    it(`${kind}: afterwards no core's TLB holds the mapping`, async () => {
      const out = await runProtocol("amd-8x4", 12, [kind], { app: unmapOnce(kind), starts: new Map([[0, null]]), config: { notification: { pollBudget: 2000 } } });
      for (let c = 0; c < 12; c++) expect(resultOf(out, c).tlbHoldsSharedPage, `core ${c}`).toBe(false);
      expect(resultOf(out, 0).records.done).toEqual([{ op: "0:0", ok: true, reason: null }]);
      // Every replica agrees that the page is gone.
      expect(new Set(out.cores.map((c) => (c.result as { replica: string }).replica)).size).toBe(1);
    });
  }

  for (const kernel of ["linux", "windows"] as const) {
    it(`${kernel}: IPIs clear every TLB, with no monitor messages`, async () => {
      const out = await runProtocol("amd-8x4", 8, [], { app: unmapOnce("ipi"), starts: new Map([[0, null]]), personality: kernel }, true);
      for (let c = 0; c < 8; c++) expect(resultOf(out, c).tlbHoldsSharedPage, `core ${c}`).toBe(false);
      // One IPI to each other core, sent by core 0; the acknowledgements go through the flush line.
      const ipis = out.trace!.filter((r) => r.type === "send" && r.kind === "ipi");
      expect(ipis.map((r) => (r.type === "send" ? [r.core, r.dst] : []))).toEqual([1, 2, 3, 4, 5, 6, 7].map((t) => [0, t]));
      expect(resultOf(out, 0)).not.toHaveProperty("channels");
      expect(resultOf(out, 0).records.done).toEqual([{ op: "0:0", ok: true, reason: null }]);
    });
  }

  it("every replica records the mapping at boot and drops it with the unmap", async () => {
    const page = `${SHARED_PAGE}=0`;
    const idle = await runProtocol("amd-8x4", 8, ["numa-multicast"], { app: { initial: null }, starts: new Map() });
    for (let c = 0; c < 8; c++) expect(resultOf(idle, c).replica, `core ${c}`).toContain(page);
    const out = await runProtocol("amd-8x4", 8, ["numa-multicast"], { app: unmapOnce("numa-multicast"), starts: new Map([[0, null]]) });
    for (let c = 0; c < 8; c++) expect(resultOf(out, c).replica, `core ${c}`).not.toContain(page);
  });

  it("cores not in the run keep their mapping: the tree spans the run's cores only", async () => {
    const out = await runProtocol("amd-8x4", 6, ["numa-multicast"], { app: unmapOnce("numa-multicast"), starts: new Map([[0, null]]) });
    expect(out.cores).toHaveLength(6);
    for (let c = 0; c < 6; c++) expect(resultOf(out, c).tlbHoldsSharedPage).toBe(false);
  });
});
