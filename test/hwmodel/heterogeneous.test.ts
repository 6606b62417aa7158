// Heterogeneous machines in the hardware model: per-package and per-die
// clocks (validated, resolved, turned into time), the cost model's round
// trips at each end's clock, a package's slower links, and the preset.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import {
  CostModel,
  interconnectOf,
  Machine,
  PRESET_NAMES,
  preset,
  presetDescription,
  regularMachine,
  URPC_RECEIVE,
  URPC_SEND,
  type MachineDescription,
} from "../../src/hwmodel/index.ts";
import { issues } from "./helpers.ts";

const PAPER = ["intel-2x4", "amd-2x2", "amd-4x4", "amd-8x4"];

/** Two packages of two cores each joined by one HyperTransport link, amd-8x4's costs. */
const pair = (): MachineDescription => regularMachine({ name: "pair", clockGHz: 2, packages: 2, coresPerDie: 2, sharedCache: "package-l3", links: [[0, 1]] });

describe("clocks in a machine description", () => {
  it("a core runs at its die's clock, else its package's, else the machine's", () => {
    const d = pair();
    d.packages[0].clockGHz = 1;
    d.packages[1].dies[0].clockGHz = 4;
    const m = Machine.from(d);
    expect(Array.from(m.coreClockGHz)).toEqual([1, 1, 4, 4]);
    expect(Array.from(m.corePeriod)).toEqual([2, 2, 0.5, 0.5]);
    expect(m.heterogeneous).toBe(true);
    expect(m.clocksGHz).toEqual([4, 1]);
    expect(m.time(0, 333)).toBe(666);
    expect(m.time(2, 333)).toBe(167); // 166.5, rounded to the nearest
  });

  it("the paper's machines are homogeneous: every period exactly 1 and time the identity, bit for bit", () => {
    for (const name of PAPER) {
      const m = preset(name)!;
      expect(m.heterogeneous).toBe(false);
      expect(m.clocksGHz).toEqual([m.clockGHz]);
      expect(m.corePeriod.every((p) => p === 1)).toBe(true);
    }
    fc.assert(fc.property(fc.integer({ min: 0, max: 31 }), fc.integer({ min: 0, max: 2 ** 40 }), (core, cycles) => preset("amd-8x4")!.time(core, cycles) === cycles), { seed: 17 });
  });

  it("a package or a die that names the machine's own clock changes nothing", () => {
    const d = structuredClone(presetDescription("amd-4x4")!);
    d.packages[1].clockGHz = 2.5;
    d.packages[2].dies[0].clockGHz = 2.5;
    const m = Machine.from(d);
    const ref = preset("amd-4x4")!;
    expect(m.heterogeneous).toBe(false);
    const [a, b] = [new CostModel(m), new CostModel(ref)];
    for (let x = 0; x < 16; x++) for (let y = 0; y < 16; y++) expect(a.roundTrip(x, y)).toBe(b.roundTrip(x, y));
  });

  it("a clock out of range names its field", () => {
    const d = pair();
    d.packages[1].clockGHz = 0.05;
    d.packages[0].dies[0].clockGHz = 11;
    expect(issues(d)).toEqual([
      { field: "packages[0].dies[0].clockGHz", reason: "must be 0.1 to 10 GHz" },
      { field: "packages[1].clockGHz", reason: "must be 0.1 to 10 GHz" },
    ]);
    const e = pair() as unknown as { packages: { clockGHz: unknown }[] };
    e.packages[0].clockGHz = "fast";
    expect(issues(e)).toEqual([{ field: "packages[0].clockGHz", reason: "clockGHz must be a number" }]);
  });

  it("slower links: bounded, and only between the packages of a HyperTransport machine", () => {
    const d = pair();
    d.packages[1].links = { hopLeg: 0, linkGBps: 2000 };
    expect(issues(d)).toEqual([
      { field: "packages[1].links.hopLeg", reason: "must be > 0" },
      { field: "packages[1].links.linkGBps", reason: "at most 1000 GB/s" },
    ]);
    const fsb = structuredClone(presetDescription("intel-2x4")!);
    fsb.packages[0].links = { linkGBps: 1 };
    expect(issues(fsb)).toEqual([{ field: "packages[0].links", reason: expect.stringMatching(/front-side-bus machine has no links/) }]);
  });
});

describe("the cost model on cores of different clocks", () => {
  it("a round trip pays each end's send and receive paths at that end's clock", () => {
    const m = preset("amd-8x4-biglittle")!;
    const cost = new CostModel(m);
    const ref = new CostModel(preset("amd-8x4")!);
    // Cores 0 and 1 run at half clock, 2 and 3 at the reference clock; all four share package 0's L3.
    expect(cost.roundTrip(2, 3)).toBe(ref.roundTrip(2, 3));
    expect(cost.roundTrip(0, 1) - ref.roundTrip(0, 1)).toBe(2 * (URPC_SEND + URPC_RECEIVE));
    expect(cost.roundTrip(0, 2) - ref.roundTrip(0, 2)).toBe(URPC_SEND + URPC_RECEIVE);
    expect(cost.roundTrip(1, 3)).toBe(cost.roundTrip(0, 2));
  });

  it("costs of a core's own work stay in its cycles: the engine turns them into time", () => {
    const cost = new CostModel(preset("amd-8x4-biglittle")!);
    expect(cost.lrpc()).toBe(new CostModel(preset("amd-8x4")!).lrpc());
  });
});

describe("a package behind slower links", () => {
  it("every link that touches it takes its hop and its bandwidth; the others are the machine's", () => {
    const d = regularMachine({ name: "line", clockGHz: 2, packages: 3, coresPerDie: 1, sharedCache: "none", links: [[0, 1], [1, 2]] });
    d.packages[2].links = { hopLeg: 100, linkGBps: 1 };
    const net = interconnectOf(Machine.from(d));
    const { hop, occupancy } = net.t;
    expect(net.linkHop(0, 1)).toBe(hop);
    expect(net.linkHop(1, 2)).toBe(100);
    expect(net.linkHop(2, 1)).toBe(100);
    // 1 GB/s at 2 GHz: half a byte a cycle, so a 68-byte data packet holds the slow link 136 cycles.
    expect(net.linkOccupancy(1, 2, "data")).toBe(136);
    expect(net.linkOccupancy(0, 1, "data")).toBe(occupancy.data);
    // Cut-through: the head crosses both hops, the tail is the slow link's serialisation behind it.
    expect(net.path(0, 2, "data")).toBe(hop + 100 + 136);
    expect(net.path(0, 1, "data")).toBe(hop + occupancy.data);
    const links = new Map<number, number>();
    expect(net.send(links, 2, 0, 1000, "data")).toBe(1000 + 100 + hop + 136);
  });

  it("links that name the machine's own values are the machine's links", () => {
    const d = structuredClone(presetDescription("amd-8x4")!);
    d.packages[3].links = { hopLeg: 1, linkGBps: 4 };
    const [net, ref] = [interconnectOf(Machine.from(d)), interconnectOf(preset("amd-8x4")!)];
    for (let a = 0; a < 8; a++) for (let b = 0; b < 8; b++) for (const k of ["request", "probe", "response", "data"] as const) expect(net.path(a, b, k)).toBe(ref.path(a, b, k));
  });

  it("slower links lengthen the round trips to and through the package", () => {
    const d = structuredClone(presetDescription("amd-8x4")!);
    d.packages[7].links = { hopLeg: 40, linkGBps: 1 };
    const [slow, ref] = [new CostModel(Machine.from(d)), new CostModel(preset("amd-8x4")!)];
    expect(slow.roundTrip(0, 28)).toBeGreaterThan(ref.roundTrip(0, 28));
    // Every transaction broadcasts its probes to every package, package 7 included.
    expect(slow.roundTrip(0, 1)).toBeGreaterThan(ref.roundTrip(0, 1));
  });
});

describe("the heterogeneous preset", () => {
  it("is listed, and is amd-8x4 with the two lowest cores of every package at half clock", () => {
    expect(PRESET_NAMES).toContain("amd-8x4-biglittle");
    const m = preset("amd-8x4-biglittle")!;
    const ref = preset("amd-8x4")!;
    expect(m.clockGHz).toBe(2);
    expect(Array.from(m.coreClockGHz)).toEqual(Array.from({ length: 32 }, (_, c) => (c % 4 < 2 ? 1 : 2)));
    expect(Array.from(m.corePackage)).toEqual(Array.from(ref.corePackage));
    expect(m.costs).toEqual(ref.costs);
    expect(preset("amd-8x4-biglittle", "one-way")!.costs).toEqual(preset("amd-8x4", "one-way")!.costs);
  });
});
