import { describe, expect, it } from "vitest";
import { PAGE_WALK_LEVELS, TLB_ENTRIES, upcallCost, type CpuDriver } from "../../src/cpudriver/index.ts";
import { bootCore, codeOf, costOf } from "./boot.ts";

const cost = costOf("amd-4x4");
const walk = PAGE_WALK_LEVELS * cost.localLineUpdate();
const HIGH = 0x7f00_0000_0000; // above 2^32: no 32-bit arithmetic allowed


function setup(domains = 1) {
  const { cpu, caps } = bootCore(domains, cost);
  return { cpu, caps, frameBase: (cpu: CpuDriver, ref: number) => cpu.cspace.identify(ref).base };
}

describe("map and unmap", () => {
  it("charges a trap plus a local line update per PTE", () => {
    const { cpu, caps } = setup();
    expect(cpu.map(1, HIGH, caps[0].frames[0], 16).cost).toBe(cost.trap() + 16 * cost.localLineUpdate());
  });

  it("translates through the page tables with the page offset", () => {
    const { cpu, caps, frameBase } = setup();
    cpu.map(1, HIGH, caps[0].frames[1], 2);
    const base = frameBase(cpu, caps[0].frames[1]);
    expect(cpu.translate(1, HIGH + 4096 + 0x123)).toEqual({ cost: walk, paddr: base + 4096 + 0x123, hit: false });
    expect(cpu.translate(1, HIGH + 4096 + 8)).toEqual({ cost: 0, paddr: base + 4096 + 8, hit: true });
  });

  it("unmap clears the PTEs and the local TLB: trap + per page (line update + invalidate)", () => {
    const { cpu, caps } = setup();
    cpu.map(1, HIGH, caps[0].frames[0], 4);
    cpu.translate(1, HIGH);
    expect(cpu.unmap(1, HIGH, 4).cost).toBe(cost.trap() + 4 * (cost.localLineUpdate() + cost.tlbInvalidate()));
    expect(cpu.translate(1, HIGH)).toEqual({ cost: walk + cost.trap() + upcallCost(cost), paddr: null, hit: false });
  });

  it("is all or nothing", () => {
    const { cpu, caps } = setup();
    cpu.map(1, 0x10000 + 4 * 4096, caps[0].frames[0], 1);
    expect(codeOf(() => cpu.map(1, 0x10000, caps[0].frames[1], 8))).toBe("already_mapped");
    expect(cpu.translate(1, 0x10000).paddr).toBeNull();
    expect(codeOf(() => cpu.unmap(1, 0x10000 + 4 * 4096, 2))).toBe("not_mapped");
    expect(cpu.translate(1, 0x10000 + 4 * 4096).paddr).not.toBeNull();
  });

  it("refuses misuse", () => {
    const { cpu, caps } = setup(2);
    const f = caps[0].frames[0];
    expect(codeOf(() => cpu.map(1, 0x1001, f, 1))).toBe("bad_vaddr");
    expect(codeOf(() => cpu.map(1, 2 ** 48 - 4096, f, 2))).toBe("bad_vaddr");
    expect(codeOf(() => cpu.map(1, 0, f, 0))).toBe("bad_count");
    expect(codeOf(() => cpu.map(1, 0, f, 17))).toBe("too_small"); // a Frame of 64 KiB is 16 pages
    expect(codeOf(() => cpu.map(1, 0, caps[0].ram, 1))).toBe("type_mismatch");
    expect(codeOf(() => cpu.map(2, 0, f, 1))).toBe("no_such_cap"); // domain 2 does not hold it
    expect(codeOf(() => cpu.map(9, 0, f, 1))).toBe("no_such_dispatcher");
    expect(codeOf(() => cpu.translate(1, -1))).toBe("bad_vaddr");
  });

  it("keeps a mapped Frame from being deleted or revoked until it is unmapped", () => {
    const { cpu, caps } = setup();
    cpu.map(1, 0, caps[0].frames[2], 1);
    expect(codeOf(() => cpu.delete(1, caps[0].frames[2]))).toBe("in_use");
    expect(codeOf(() => cpu.revoke(1, caps[0].ram))).toBe("in_use");
    cpu.unmap(1, 0, 1);
    expect(cpu.delete(1, caps[0].frames[2]).cost).toBe(cost.trap() + cost.localLineUpdate());
  });
});

describe("TLB", () => {
  it("invalidate costs one tlbInvalidate and forces the next access to walk", () => {
    const { cpu, caps } = setup();
    cpu.map(1, HIGH, caps[0].frames[0], 1);
    cpu.translate(1, HIGH);
    expect(cpu.invalidate(1, HIGH)).toEqual({ cost: cost.tlbInvalidate(), present: true });
    expect(cpu.invalidate(1, HIGH)).toEqual({ cost: cost.tlbInvalidate(), present: false });
    expect(cpu.translate(1, HIGH).hit).toBe(false);
    expect(cpu.syscall(1, { op: "invalidate", vaddr: HIGH })).toEqual({ cost: cost.trap() + cost.tlbInvalidate(), present: true });
  });

  it(`holds ${TLB_ENTRIES} entries and replaces the least recently used`, () => {
    const { cpu, caps } = setup();
    caps[0].frames.forEach((f, i) => cpu.map(1, i * 16 * 4096, f, 16)); // 64 pages
    cpu.map(1, 64 * 4096, caps[0].frames[0], 1); // page 64 aliases frame 0
    const at = (p: number) => cpu.translate(1, p * 4096).hit;
    for (let p = 0; p < TLB_ENTRIES; p++) expect(at(p)).toBe(false);
    expect(cpu.mmu.tlb.size).toBe(TLB_ENTRIES);
    expect(at(0)).toBe(true); // page 0 is now the most recently used
    expect(at(64)).toBe(false); // evicts page 1, the least recently used
    expect(at(0)).toBe(true);
    expect(at(2)).toBe(true);
    expect(at(1)).toBe(false); // evicts page 3
    expect(at(3)).toBe(false);
    expect(cpu.mmu.tlb.size).toBe(TLB_ENTRIES);
  });

  it("flush empties it for one invalidation", () => {
    const { cpu, caps } = setup();
    cpu.map(1, 0, caps[0].frames[0], 4);
    for (let p = 0; p < 4; p++) cpu.translate(1, p * 4096);
    expect(cpu.flushTlb().cost).toBe(cost.tlbInvalidate());
    expect(cpu.mmu.tlb.size).toBe(0);
    expect(cpu.translate(1, 0).hit).toBe(false);
  });

  it("tags entries by domain: the same address in two domains is two entries", () => {
    const { cpu, caps, frameBase } = setup(2);
    cpu.map(1, HIGH, caps[0].frames[0], 1);
    cpu.map(2, HIGH, caps[1].frames[0], 1);
    expect(cpu.translate(1, HIGH).paddr).toBe(frameBase(cpu, caps[0].frames[0]));
    expect(cpu.translate(2, HIGH).paddr).toBe(frameBase(cpu, caps[1].frames[0]));
    expect(cpu.translate(1, HIGH)).toMatchObject({ hit: true, paddr: frameBase(cpu, caps[0].frames[0]) });
    cpu.unmap(2, HIGH, 1);
    expect(cpu.translate(1, HIGH).hit).toBe(true);
  });
});
