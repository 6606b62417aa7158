import { describe, expect, it } from "vitest";
import { Machine, presetDescription, regularMachine, type MachineDescription } from "../../src/hwmodel/index.ts";
import { issues } from "./helpers.ts";

const base = (): MachineDescription => structuredClone(presetDescription("amd-4x4")!);

describe("machine descriptions: bad input names the field and the reason", () => {
  it("accepts every preset", () => {
    for (const name of ["intel-2x4", "amd-2x2", "amd-4x4", "amd-8x4"]) expect(Machine.from(presetDescription(name)).name).toBe(name);
  });

  it("a link to a package that does not exist", () => {
    const d = base();
    (d.interconnect as { links: [number, number][] }).links.push([3, 9]);
    expect(issues(d)).toContainEqual({ field: "interconnect.links[4][1]", reason: "no package 9" });
  });

  it("a disconnected interconnect", () => {
    const d = base();
    (d.interconnect as { links: [number, number][] }).links = [[0, 1], [2, 3]];
    const [i] = issues(d);
    expect(i.field).toBe("interconnect.links");
    expect(i.reason).toMatch(/disconnected.*package\(s\) 2, 3/);
  });

  it("no cores", () => {
    expect(issues({ ...base(), packages: [] })).toContainEqual({ field: "packages", reason: "a machine needs at least one package" });
    const d = base();
    d.packages[0].dies[0].cores = [];
    expect(issues(d)[0].field).toBe("packages[0].dies[0].cores");
  });

  it("duplicate core ids", () => {
    const d = base();
    d.packages[1].dies[0].cores[0] = 0;
    const found = issues(d);
    expect(found[0]).toEqual({ field: "packages[1].dies[0].cores[0]", reason: "duplicate core id 0 (also at packages[0].dies[0].cores[0])" });
  });

  it("core ids that are not dense", () => {
    const d = base();
    d.packages[3].dies[0].cores[3] = 40;
    expect(issues(d)).toContainEqual({ field: "packages[3].dies[0].cores[3]", reason: "core ids must be dense 0..15; 40 is out of range" });
  });

  it("negative or non-numeric values", () => {
    expect(issues({ ...base(), clockGHz: -2 })).toContainEqual({ field: "clockGHz", reason: "must be 0.1 to 10 GHz" });
    expect(issues({ ...base(), clockGHz: "fast" })[0].field).toBe("clockGHz");
    const d = base();
    d.packages[0].dies[0].cores[1] = -1;
    expect(issues(d)).toContainEqual({ field: "packages[0].dies[0].cores[1]", reason: "must be >= 0" });
    expect(issues({ ...base(), costs: { chipLeg: -5 } })).toContainEqual({ field: "costs.chipLeg", reason: "must be > 0" });
  });

  it("a latency matrix of the wrong shape", () => {
    expect(issues({ ...base(), latencyMatrix: { unit: "ns", values: [[0, 1], [1, 0]] } })).toContainEqual({
      field: "latencyMatrix.values",
      reason: "must have 16 rows (one per core), has 2",
    });
    const rows = Array.from({ length: 16 }, () => new Array(16).fill(50));
    rows[5] = rows[5].slice(0, 15);
    expect(issues({ ...base(), latencyMatrix: { unit: "cycles", values: rows } })).toContainEqual({
      field: "latencyMatrix.values[5]",
      reason: "must have 16 columns, has 15",
    });
  });

  it("more than 4096 cores", () => {
    const d = regularMachine({ name: "big", clockGHz: 2, packages: 1025, coresPerDie: 4, sharedCache: "package-l3", links: "ring" });
    expect(issues(d)).toContainEqual({ field: "packages", reason: "4100 cores; at most 4096 are supported" });
  });

  it("unknown fields and a missing interconnect", () => {
    expect(issues({ ...base(), turbo: true })[0].reason).toMatch(/turbo/);
    const { interconnect: _, ...rest } = base();
    expect(issues(rest)[0].field).toBe("interconnect");
  });

  it("a shared cache over cores of two packages, or over cores that do not exist", () => {
    const d = base();
    d.sharedCaches!.push({ level: 3, cores: [3, 4] });
    expect(issues(d)).toContainEqual({ field: "sharedCaches[4].cores", reason: "a shared cache cannot span packages" });
    const e = base();
    e.sharedCaches!.push({ level: 2, cores: [1, 99] });
    expect(issues(e)).toContainEqual({ field: "sharedCaches[4].cores[1]", reason: "no core 99" });
  });
});

describe("impossible machines: every physical quantity has a plausible range", () => {
  const n = 16;
  /** A 16 x 16 latency matrix: `cell` off the diagonal, 0 on it, unless `diagonal` says otherwise. */
  const matrix = (cell: number, diagonal = 0) => Array.from({ length: n }, (_, a) => Array.from({ length: n }, (_, b) => (a === b ? diagonal : cell)));

  it("a clock of 1e-300 or 1e3 GHz", () => {
    expect(issues({ ...base(), clockGHz: 1e-300 })).toContainEqual({ field: "clockGHz", reason: "must be 0.1 to 10 GHz" });
    expect(issues({ ...base(), clockGHz: 1000 })).toContainEqual({ field: "clockGHz", reason: "must be 0.1 to 10 GHz" });
    expect(Machine.from({ ...base(), clockGHz: 0.1 }).clockGHz).toBe(0.1);
  });

  it.each([["dispatcherSwitch", 1e308], ["hopLeg", 1e17], ["tlbInvalidate", 1e300], ["homeOccupancy", 1e7], ["chipLeg", 2e6]])("a cost %s of %d cycles", (field, v) => {
    expect(issues({ ...base(), costs: { [field]: v } })).toContainEqual({ field: `costs.${field}`, reason: "at most 1000000 cycles" });
  });

  it("a link, a memory or a cache beyond any machine", () => {
    expect(issues({ ...base(), costs: { linkGBps: 1e9 } })).toContainEqual({ field: "costs.linkGBps", reason: "at most 1000 GB/s" });
    expect(issues({ ...base(), costs: { memoryNs: 1e9 } })).toContainEqual({ field: "costs.memoryNs", reason: "at most 100000 ns" });
    expect(issues({ ...base(), costs: { homeSlots: 1e9 } })).toContainEqual({ field: "costs.homeSlots", reason: "must be <= 16" });
    const d = base();
    d.sharedCaches![0].sizeKiB = 1e12;
    expect(issues(d)).toContainEqual({ field: "sharedCaches[0].sizeKiB", reason: "at most 4194304 KiB (4 GiB)" });
  });

  it("a latency matrix of 1e308 ns, or of more than a million cycles", () => {
    expect(issues({ ...base(), latencyMatrix: { unit: "ns", values: matrix(1e308) } })).toContainEqual({
      field: "latencyMatrix.values[0][1]",
      reason: "1e+308 ns is Infinity cycles at 2.5 GHz; at most 1000000 cycles",
    });
    const found = issues({ ...base(), latencyMatrix: { unit: "cycles", values: matrix(2e6) } });
    expect(found).toHaveLength(11);
    expect(found.at(-1)).toEqual({ field: "latencyMatrix.values", reason: "and 230 more bad cells" });
  });

  it("a latency matrix with a nonzero diagonal, or a zero between two cores", () => {
    expect(issues({ ...base(), latencyMatrix: { unit: "cycles", values: matrix(100, 7) } })).toContainEqual({
      field: "latencyMatrix.values[0][0]",
      reason: "a core's latency to itself must be 0 (blank in a CSV)",
    });
    const zero = matrix(100);
    zero[2][3] = 0;
    expect(issues({ ...base(), latencyMatrix: { unit: "cycles", values: zero } })).toEqual([
      { field: "latencyMatrix.values[2][3]", reason: "must be > 0: no line moves between two cores in no time" },
    ]);
  });

  it("a shared cache listing a core twice", () => {
    const d = base();
    d.sharedCaches![0].cores = [0, 0];
    expect(issues(d)).toEqual([
      { field: "sharedCaches[0].cores[1]", reason: "core 0 is listed twice" },
      { field: "sharedCaches[0].cores", reason: "a shared cache is shared by at least two cores" },
    ]);
  });
});
