import { describe, expect, it } from "vitest";
import { codeOf } from "./boot.ts";
import {
  CSpace,
  checkRetype,
  isCopy,
  isDescendant,
  retypeChildren,
  type Capability,
  type CapType,
} from "../../src/cpudriver/index.ts";

const KiB = 1024;
const ram: Capability = { type: "RAM", base: 0x10_0000, size: 1 << 20 };
const frame: Capability = { type: "Frame", base: 0x20_0000, size: 64 * KiB };
const disp: Capability = { type: "Dispatcher", base: 0x30_0000, size: 1024 };

describe("valid retypes", () => {
  it.each<[Capability, CapType, number, number]>([
    [ram, "RAM", 4096, 256],
    [ram, "RAM", 512 * KiB, 2],
    [ram, "Frame", 4096, 1],
    [ram, "Frame", 1 << 20, 1],
    [ram, "CNode", 16 * KiB, 64],
    [ram, "VNode", 4096, 256],
    [ram, "Dispatcher", 1024, 1024],
    [frame, "Frame", 4096, 16],
    [disp, "EndPoint", 0, 1],
  ])("%j -> %s, %i bytes x %i", (parent, type, objSize, count) => {
    expect(checkRetype(parent, type, objSize, count, [])).toEqual({ ok: true });
  });

  it("lays the children out from the parent's base", () => {
    expect(retypeChildren(ram, "Frame", 4096, 3)).toEqual([
      { type: "Frame", base: 0x10_0000, size: 4096 },
      { type: "Frame", base: 0x10_1000, size: 4096 },
      { type: "Frame", base: 0x10_2000, size: 4096 },
    ]);
    expect(retypeChildren(disp, "EndPoint", 0, 1)).toEqual([{ type: "EndPoint", base: disp.base, size: disp.size }]);
  });

  it("lets a dispatcher have many endpoints", () => {
    const ep = retypeChildren(disp, "EndPoint", 0, 1);
    expect(checkRetype(disp, "EndPoint", 0, 1, ep)).toEqual({ ok: true });
  });
});

describe("invalid retypes", () => {
  it.each<[string, Capability, CapType, number, number, string]>([
    ["Frame to CNode", frame, "CNode", 16 * KiB, 1, "type_mismatch"],
    ["Frame to RAM", frame, "RAM", 4096, 1, "type_mismatch"],
    ["RAM to EndPoint", ram, "EndPoint", 0, 1, "type_mismatch"],
    ["Dispatcher to Frame", disp, "Frame", 4096, 1, "type_mismatch"],
    ["CNode to anything", { type: "CNode", base: 0, size: 16 * KiB }, "CNode", 16 * KiB, 1, "type_mismatch"],
    ["VNode to anything", { type: "VNode", base: 0, size: 4096 }, "Frame", 4096, 1, "type_mismatch"],
    ["EndPoint to anything", { type: "EndPoint", base: 0, size: 1024 }, "EndPoint", 0, 1, "type_mismatch"],
    ["zero count", ram, "Frame", 4096, 0, "bad_count"],
    ["fractional count", ram, "Frame", 4096, 1.5, "bad_count"],
    ["two EndPoints at once", disp, "EndPoint", 0, 2, "bad_count"],
    ["EndPoint with a size", disp, "EndPoint", 1024, 1, "bad_size"],
    ["size not a power of two", ram, "Frame", 3 * 4096, 1, "bad_size"],
    ["Frame below a page", ram, "Frame", 2048, 1, "bad_size"],
    ["RAM below a page", ram, "RAM", 2048, 2, "bad_size"],
    ["VNode not a page", ram, "VNode", 8192, 1, "bad_size"],
    ["Dispatcher not 1 KiB", ram, "Dispatcher", 2048, 1, "bad_size"],
    ["CNode below 256 slots", ram, "CNode", 8 * KiB, 1, "bad_size"],
    ["split into one piece as large", frame, "Frame", 64 * KiB, 1, "bad_size"],
    ["too many", ram, "Frame", 4096, 257, "too_small"],
    ["pieces overflowing the parent", frame, "Frame", 32 * KiB, 3, "too_small"],
    ["object larger than RAM", { type: "RAM", base: 0, size: 8192 }, "Frame", 16 * KiB, 1, "too_small"],
    ["misaligned", { type: "RAM", base: 0x1000, size: 0x3000 }, "Frame", 8192, 1, "misaligned"],
  ])("%s", (_, parent, type, objSize, count, code) => {
    const r = checkRetype(parent, type, objSize, count, []);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.code).toBe(code);
      expect(r.reason.length).toBeGreaterThan(0);
    }
  });

  it("refuses a cap that already has descendants, ignoring unrelated caps and copies", () => {
    const child: Capability = { type: "Frame", base: ram.base + 4096, size: 4096 };
    const unrelated: Capability = { type: "Frame", base: 0, size: 4096 };
    expect(checkRetype(ram, "Frame", 4096, 1, [unrelated, { ...ram }])).toEqual({ ok: true });
    const r = checkRetype(ram, "Frame", 4096, 1, [unrelated, child]);
    expect(r.ok || r.code).toBe("has_descendants");
  });
});

describe("derivation", () => {
  it("follows types and ranges, transitively", () => {
    const piece: Capability = { type: "RAM", base: ram.base, size: 4096 };
    const f: Capability = { type: "Frame", base: ram.base, size: 4096 };
    const d: Capability = { type: "Dispatcher", base: ram.base + 4096, size: 1024 };
    const ep: Capability = { type: "EndPoint", base: d.base, size: d.size };
    expect(isDescendant(piece, ram)).toBe(true);
    expect(isDescendant(f, piece)).toBe(true);
    expect(isDescendant(f, ram)).toBe(true);
    expect(isDescendant(ep, d)).toBe(true);
    expect(isDescendant(ep, ram)).toBe(true);
    expect(isDescendant(ram, piece)).toBe(false);
    expect(isDescendant(ep, f)).toBe(false);
    expect(isDescendant({ ...ram }, ram)).toBe(false);
    expect(isCopy({ ...ram }, ram)).toBe(true);
  });
});

describe("retype, delete and revoke in a CSpace", () => {
  function setup() {
    const cs = new CSpace();
    const r = cs.insert(ram, 1);
    return { cs, r };
  }

  it("records the children as descendants and refuses a second retype", () => {
    const { cs, r } = setup();
    const kids = cs.retype(r, "RAM", 64 * KiB, 4);
    expect(cs.descendants(r)).toEqual(kids);
    expect(codeOf(() => cs.retype(r, "Frame", 4096, 1))).toBe("has_descendants");
    const frames = cs.retype(kids[0], "Frame", 4096, 2);
    expect(cs.descendants(r)).toEqual([...kids, ...frames]);
    expect(cs.descendants(kids[0])).toEqual(frames);
  });

  it("refuses to retype a copy of a cap that has descendants", () => {
    const { cs, r } = setup();
    cs.retype(r, "Frame", 4096, 1);
    const c = cs.copy(r, 2);
    expect(codeOf(() => cs.retype(c, "Frame", 4096, 1))).toBe("has_descendants");
  });

  it("refuses to delete the last copy of a cap with descendants", () => {
    const { cs, r } = setup();
    const [f] = cs.retype(r, "Frame", 4096, 1);
    expect(codeOf(() => cs.delete(r))).toBe("has_descendants");
    const c = cs.copy(r, 1);
    cs.delete(r); // another copy still covers the descendants
    expect(codeOf(() => cs.delete(c))).toBe("has_descendants");
    cs.delete(f);
    cs.delete(c);
    expect(cs.refs()).toEqual([]);
  });

  it("revoke deletes every descendant and copy, keeps the cap, and frees it for retype", () => {
    const { cs, r } = setup();
    const kids = cs.retype(r, "RAM", 64 * KiB, 2);
    const frames = cs.retype(kids[1], "Frame", 4096, 2);
    const copy = cs.copy(r, 2);
    expect(cs.revoke(r)).toEqual([...kids, ...frames, copy].sort((a, b) => a - b));
    expect(cs.refs()).toEqual([r]);
    expect(cs.retype(r, "Frame", 1 << 19, 2)).toHaveLength(2);
  });

  it("revoke is all or nothing when a descendant is in use", () => {
    const { cs, r } = setup();
    const kids = cs.retype(r, "Frame", 4096, 2);
    expect(codeOf(() => cs.revoke(r, new Set([kids[1]])))).toBe("in_use");
    expect(cs.refs()).toEqual([r, ...kids]);
  });

  it("rejects malformed caps and unknown refs", () => {
    const cs = new CSpace();
    expect(codeOf(() => cs.insert({ type: "Frame", base: -4096, size: 4096 }, 0))).toBe("bad_cap");
    expect(codeOf(() => cs.insert({ type: "Frame", base: 2 ** 48 - 4096, size: 8192 }, 0))).toBe("bad_cap");
    expect(codeOf(() => cs.insert({ type: "Bogus" as CapType, base: 0, size: 4096 }, 0))).toBe("bad_cap");
    expect(codeOf(() => cs.delete(0))).toBe("no_such_cap");
    expect(codeOf(() => cs.revoke(3))).toBe("no_such_cap");
  });
});
