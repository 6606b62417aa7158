import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { Machine, preset, syntheticMachine } from "../../src/hwmodel/index.ts";

describe("machine topology facts", () => {
  it("amd-8x4: 24 one-hop, 28 two-hop and 4 three-hop ordered package pairs", () => {
    const m = preset("amd-8x4")!;
    const counts = new Map<number, number>();
    for (let a = 0; a < 8; a++) for (let b = 0; b < 8; b++) if (a !== b) counts.set(m.packageHops[a * 8 + b], (counts.get(m.packageHops[a * 8 + b]) ?? 0) + 1);
    expect(Object.fromEntries(counts)).toEqual({ 1: 24, 2: 28, 3: 4 });
    expect(m.pairClass(28, 8)).toBe("three-hop");
    expect(m.pairClass(28, 12)).toBe("three-hop");
  });

  it("classifies core pairs by the paper's names", () => {
    const intel = preset("intel-2x4")!;
    expect([intel.pairClass(0, 1), intel.pairClass(0, 2), intel.pairClass(0, 4)]).toEqual(["shared-cache", "not-shared", "not-shared"]);
    const amd22 = preset("amd-2x2")!;
    expect([amd22.pairClass(0, 1), amd22.pairClass(1, 2)]).toEqual(["same-die", "one-hop"]);
    const amd44 = preset("amd-4x4")!;
    expect([amd44.pairClass(0, 3), amd44.pairClass(0, 4), amd44.pairClass(0, 12), amd44.pairClass(5, 5)]).toEqual(["shared-cache", "one-hop", "two-hop", "same-core"]);
  });

  it("builds synthetic machines up to 4096 cores", () => {
    const m = syntheticMachine(4096);
    expect(m.numCores).toBe(4096);
    expect(m.numPackages).toBe(1024);
    expect(m.diameter).toBe(62);
  });

  it("examples/synthetic-1024.json, the README's 1024-core machine file, is syntheticMachine(1024)", () => {
    const file = Machine.from(JSON.parse(readFileSync(new URL("../../examples/synthetic-1024.json", import.meta.url), "utf8")));
    expect(file.toJSON()).toEqual(syntheticMachine(1024).toJSON());
  });
});
