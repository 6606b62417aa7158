// The line model on two- and three-core cases worked out by hand. The
// machines run at 1 GHz with round costs so that every time below can be
// checked on paper: legs of 10 (on chip) and 20 (a HyperTransport hop), a
// probe lookup of 5, links of 4 bytes per cycle (a request or probe holds a
// link 2 cycles, a response 1, a 68-byte data packet 17), DRAM 100.
import { describe, expect, it } from "vitest";
import { CoreLines, homeFor, HomeAgent } from "../../src/hwmodel/coherence.ts";
import { Machine } from "../../src/hwmodel/index.ts";
import { duo } from "./helpers.ts";
import type { Json } from "../../src/json.ts";

/** One package with a die of two cores sharing an L2 and a die of one, on a front-side bus. */
function fsb3(): Machine {
  return Machine.from({
    name: "fsb3",
    clockGHz: 1,
    packages: [{ id: 0, dies: [{ id: 0, cores: [0, 1] }, { id: 1, cores: [2] }] }],
    sharedCaches: [{ level: 2, cores: [0, 1] }],
    interconnect: { type: "fsb" },
    memoryControllers: [{}],
    costs: { chipLeg: 10, hopLeg: 50, probeLookup: 8, homeOccupancy: 20, homeSlots: 1, dieTransfer: 30, dieOccupancy: 5, linkGBps: 8, memoryNs: 40 },
  });
}

const times = (t: { arrival: number; serviced: number; wait: number; complete: number; released: number }) => [t.arrival, t.serviced, t.wait, t.complete, t.released];

describe("HyperTransport home agent (MOESI, probes broadcast)", () => {
  it("a read miss on an uncached line: probes to both packages, data from DRAM, E", () => {
    const h = new HomeAgent(duo(), 0, 0);
    expect(h.arrival(0, 0)).toBe(10);
    const r = h.request(10, { requester: 0, line: "x", op: "read" });
    // Probe answers: own package 10+5+10 = 25; the other 10+20+2 (probe) +5, then 20+1 back, +10 = 68.
    // DRAM: 10+100, +10 on chip = 120. SrcDone on chip: 130.
    expect(times(r)).toEqual([10, 10, 0, 120, 130]);
    expect(r).toMatchObject({ granted: "E", supplier: "memory", notices: [], seq: 1 });
    expect(h.holders("x")).toEqual([[0, "E"]]);
  });

  it("a write miss with three sharers invalidates them all, the farther package later", () => {
    const h = new HomeAgent(duo(), 0, 0);
    h.request(10, { requester: 0, line: "x", op: "read" });
    const r1 = h.request(200, { requester: 1, line: "x", op: "read" });
    // Core 0's E copy supplies the data on chip: 200+5+10 = 215; the far package answers at 258.
    expect(times(r1)).toEqual([200, 200, 0, 258, 268]);
    expect(r1).toMatchObject({ granted: "S", supplier: 0, notices: [{ core: 0, at: 205, state: "S" }] });
    expect(h.arrival(2, 300)).toBe(332);
    const r2 = h.request(332, { requester: 2, line: "x", op: "read" });
    // Nobody owns it: DRAM 432, then a data packet 0->1: 432+20+17, +10 on chip = 479.
    expect(times(r2)).toEqual([332, 332, 0, 479, 510]);
    const w = h.request(632, { requester: 3, line: "x", op: "write" });
    expect(w.notices).toEqual([
      { core: 0, at: 637, state: "I" },
      { core: 1, at: 637, state: "I" },
      { core: 2, at: 659, state: "I" },
    ]);
    expect(times(w)).toEqual([632, 632, 0, 779, 810]);
    expect(w).toMatchObject({ granted: "M", supplier: "memory" });
    expect(h.holders("x")).toEqual([[3, "M"]]);
  });

  it("two writers contending: the second waits for the first's SrcDone, then takes the data from it", () => {
    const h = new HomeAgent(duo(), 0, 0);
    const w0 = h.request(10, { requester: 0, line: "y", op: "write" });
    expect(times(w0)).toEqual([10, 10, 0, 120, 130]);
    const w2 = h.request(32, { requester: 2, line: "y", op: "write" });
    // Serviced at 130; core 0's M copy crosses the link as data: 135+20+17+10 = 182; SrcDone back at 213.
    expect(times(w2)).toEqual([32, 130, 98, 182, 213]);
    expect(w2).toMatchObject({ granted: "M", supplier: 0, notices: [{ core: 0, at: 135, state: "I" }] });
    expect(h.stats()).toEqual([{ line: "y", transactions: 2, meanWait: 49, maxWait: 98 }]);
  });

  it("a line polled by three readers: the write, then each re-read in turn", () => {
    const h = new HomeAgent(duo(), 0, 0);
    h.request(10, { requester: 0, line: "z", op: "write" });
    h.request(1000, { requester: 1, line: "z", op: "read" });
    h.request(2000, { requester: 2, line: "z", op: "read" });
    h.request(3000, { requester: 3, line: "z", op: "read" });
    expect(h.holders("z")).toEqual([[0, "O"], [1, "S"], [2, "S"], [3, "S"]]);
    const { write, reads } = h.writePolled(4000, { writer: 0, line: "z", pollers: [3, 2, 1] });
    // An upgrade: no data, done when the far package has answered (4058).
    expect(times(write)).toEqual([4000, 4000, 0, 4058, 4068]);
    expect(write.supplier).toBeNull();
    expect(write.notices.map((n) => [n.core, n.at])).toEqual([[1, 4005], [2, 4027], [3, 4027]]);
    // Core 1 is back first (4015); cores 2 and 3 tie at 4059 and go by number.
    expect(reads.map((r) => r.requester)).toEqual([1, 2, 3]);
    expect(reads.map(times)).toEqual([
      [4015, 4068, 53, 4126, 4136],
      [4059, 4136, 77, 4188, 4219],
      [4059, 4219, 160, 4271, 4302],
    ]);
    expect(reads[0].notices).toEqual([{ core: 0, at: 4073, state: "O" }]);
    expect(h.holders("z")).toEqual([[0, "O"], [1, "S"], [2, "S"], [3, "S"]]);
  });

  it("home-node queueing: a transaction holds a home slot for homeOccupancy, and a line one at a time", () => {
    const h = new HomeAgent(duo({ homeOccupancy: 30 }), 0, 0);
    const a = h.request(10, { requester: 0, line: "a", op: "read" });
    const b = h.request(10, { requester: 1, line: "b", op: "read" });
    const a2 = h.request(12, { requester: 1, line: "a", op: "read" });
    const c = h.request(12, { requester: 0, line: "c", op: "read" });
    // b waits for the slot; a2 for line a (its SrcDone at 130), holding no slot meanwhile, so c
    // takes the gap after b's.
    expect([a.serviced, b.serviced, a2.serviced, c.serviced]).toEqual([10, 40, 130, 70]);
    expect([a.wait, b.wait, a2.wait, c.wait]).toEqual([0, 30, 118, 58]);
    const two = new HomeAgent(duo({ homeOccupancy: 30, homeSlots: 2 }), 0, 0);
    const served = ["a", "b", "c"].map((line) => two.request(10, { requester: 0, line, op: "read" }).serviced);
    expect(served).toEqual([10, 10, 40]);
  });

  it("the home of a line is the lowest booted core of its package", () => {
    const m = duo();
    expect(homeFor(m, 1)).toEqual({ package: 1, core: 2 });
    expect(homeFor(m, 1, 3)).toEqual({ package: 1, core: 2 });
    expect(() => homeFor(m, 1, 2)).toThrow(/no booted core in package 1/);
    expect(() => homeFor(m, 2)).toThrow(/memoryPackage: no package 2/);
  });
});

describe("front-side-bus home agent (MESI)", () => {
  it("through the shared L2 without the bus, and over the bus between dies", () => {
    const m = fsb3();
    expect(homeFor(m, 0)).toEqual({ package: 0, core: 0 });
    const h = new HomeAgent(m, 0, 0);
    const w = h.request(10, { requester: 0, line: "x", op: "write" });
    expect(times(w)).toEqual([10, 10, 0, 70, 70]);
    // Die-mate read: the L2 snoops core 0 (M -> S, written back) and answers: 110+30+10.
    const r1 = h.request(110, { requester: 1, line: "x", op: "read" });
    expect(times(r1)).toEqual([110, 110, 0, 150, 150]);
    expect(r1).toMatchObject({ granted: "S", supplier: 0, notices: [{ core: 0, at: 140, state: "S" }] });
    // Other die: a bus transaction, memory supplies the clean line.
    const r2 = h.request(210, { requester: 2, line: "x", op: "read" });
    expect(times(r2)).toEqual([210, 210, 0, 270, 270]);
    expect(r2.supplier).toBe("memory");
    const up = h.request(310, { requester: 2, line: "x", op: "write" });
    expect(times(up)).toEqual([310, 310, 0, 370, 370]);
    expect(up.notices).toEqual([
      { core: 0, at: 318, state: "I" },
      { core: 1, at: 318, state: "I" },
    ]);
    expect(h.holders("x")).toEqual([[2, "M"]]);
  });

  it("two writers on the bus: the bus starts one transaction per homeOccupancy, whatever the line", () => {
    const h = new HomeAgent(fsb3(), 0, 0);
    h.request(10, { requester: 2, line: "x", op: "write" });
    const a = h.request(410, { requester: 0, line: "x", op: "write" });
    const b = h.request(410, { requester: 1, line: "y", op: "write" });
    expect(times(a)).toEqual([410, 410, 0, 470, 470]);
    expect(a).toMatchObject({ supplier: 2, notices: [{ core: 2, at: 418, state: "I" }] });
    expect(times(b)).toEqual([410, 430, 20, 490, 490]);
  });
});

describe("snapshots and views", () => {
  it("a restored home agent continues exactly as the original", () => {
    const m = duo({ homeOccupancy: 7 });
    const h = new HomeAgent(m, 1, 2);
    h.request(40, { requester: 0, line: "a", op: "write" });
    h.request(45, { requester: 3, line: "a", op: "read" });
    // What a core's Durable Object would persist: plain JSON.
    const saved: Json = h.toJSON();
    const copy = HomeAgent.restore(m, JSON.parse(JSON.stringify(saved)));
    for (const agent of [h, copy]) agent.request(50, { requester: 1, line: "a", op: "rmw" });
    expect(copy.request(60, { requester: 2, line: "b", op: "read" })).toEqual(h.request(60, { requester: 2, line: "b", op: "read" }));
    expect(JSON.stringify(copy)).toBe(JSON.stringify(h));
  });

  it("rejects requests it cannot serve, naming the field", () => {
    const h = new HomeAgent(duo(), 0, 0);
    expect(() => h.request(-1, { requester: 0, line: "a", op: "read" })).toThrow(/^arrival:/);
    expect(() => h.request(1.5, { requester: 0, line: "a", op: "read" })).toThrow(/^arrival:/);
    expect(() => h.request(1, { requester: 4, line: "a", op: "read" })).toThrow(/^requester: no core 4/);
    expect(() => h.request(1, { requester: 0, line: "", op: "read" })).toThrow(/^line:/);
    expect(() => h.request(1, { requester: 0, line: "a", op: "swap" as "read" })).toThrow(/^op:/);
    expect(() => new HomeAgent(duo(), 3, 0)).toThrow(/^homePackage: no package 3/);
    expect(() => new HomeAgent(duo(), 0, 9)).toThrow(/^homeCore: no core 9/);
  });

  it("a core's view applies a line's outcomes in the home's order", () => {
    const v = new CoreLines();
    expect(v.hits("a", "read")).toBe(false);
    expect(v.apply("a", 2, "I")).toBe(true);
    // The read that completed after the invalidation overtook it: stale.
    expect(v.apply("a", 1, "S")).toBe(false);
    expect(v.state("a")).toBe("I");
    v.apply("a", 3, "E");
    expect(v.hits("a", "read")).toBe(true);
    expect(v.hits("a", "write")).toBe(true);
    expect(v.state("a")).toBe("M");
    const saved: Json = v.toJSON();
    expect(CoreLines.restore(JSON.parse(JSON.stringify(saved))).state("a")).toBe("M");
  });
});
