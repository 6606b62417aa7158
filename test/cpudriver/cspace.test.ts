import { describe, expect, it } from "vitest";
import { codeOf } from "./boot.ts";
import { CSpace, type Capability } from "../../src/cpudriver/index.ts";

const page = (i: number): Capability => ({ type: "Frame", base: i * 4096, size: 4096 });


describe("slot allocation", () => {
  it("hands out the lowest free slot", () => {
    const cs = new CSpace();
    expect([0, 1, 2, 3].map((i) => cs.insert(page(i), 0))).toEqual([0, 1, 2, 3]);
    cs.delete(1);
    cs.delete(2);
    expect(cs.insert(page(9), 0)).toBe(1);
    expect(cs.refs()).toEqual([0, 1, 3]);
  });

  it("puts retyped children into holes first, then at the end, in address order", () => {
    const cs = new CSpace();
    const ram = cs.insert({ type: "RAM", base: 0, size: 1 << 20 }, 7);
    cs.insert(page(300), 7);
    cs.insert(page(301), 7);
    cs.delete(1);
    const kids = cs.retype(ram, "Frame", 4096, 3);
    expect(kids).toEqual([1, 3, 4]);
    expect(kids.map((r) => cs.identify(r).base)).toEqual([0, 4096, 8192]);
    expect(kids.map((r) => cs.lookup(r).holder)).toEqual([7, 7, 7]);
  });

  it("gives the same refs and the same table for the same operations", () => {
    const run = () => {
      const cs = new CSpace();
      const ram = cs.insert({ type: "RAM", base: 0, size: 1 << 20 }, 1);
      const [a, b] = cs.retype(ram, "RAM", 1 << 18, 4);
      cs.retype(a, "Frame", 4096, 5);
      cs.copy(b, 2);
      cs.revoke(a);
      cs.retype(b, "CNode", 1 << 14, 2);
      return cs.snapshot();
    };
    expect(run()).toEqual(run());
  });
});

describe("lookup and identify", () => {
  it("finds caps only for the domain that holds them", () => {
    const cs = new CSpace();
    const r = cs.insert(page(1), 4);
    expect(cs.lookup(r, 4).cap).toEqual(page(1));
    expect(codeOf(() => cs.lookup(r, 5))).toBe("no_such_cap");
    const c = cs.copy(r, 5);
    expect(cs.lookup(c, 5).cap).toEqual(page(1));
    expect(cs.copies(r)).toEqual([c]);
  });

  it("refuses refs that name no slot", () => {
    const cs = new CSpace();
    cs.insert(page(1), 0);
    for (const ref of [1, -1, 0.5, NaN]) expect(codeOf(() => cs.lookup(ref))).toBe("no_such_cap");
  });

  it("checks types", () => {
    const cs = new CSpace();
    const r = cs.insert(page(1), 0);
    expect(cs.expect(r, "Frame")).toEqual(page(1));
    expect(codeOf(() => cs.expect(r, "EndPoint"))).toBe("type_mismatch");
  });

  it("identify returns a copy, not the slot's cap", () => {
    const cs = new CSpace();
    const r = cs.insert(page(1), 0);
    const cap = cs.identify(r) as { base: number };
    cap.base = 99;
    expect(cs.identify(r)).toEqual(page(1));
  });
});
