import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { EventClass, Horizons, simulateInProcess, type Context, type LagTable, type SimEvent, type System } from "../../src/engine/index.ts";
import { tokenRing } from "./toy-system.ts";

const bounds = (h: Horizons, next: number[], limit = Infinity) => {
  const out = new Float64Array(next.length);
  const T = h.bounds(Float64Array.from(next), limit, out);
  return { T, out: [...out].map((b, c) => (next[c] === Infinity ? null : b)) };
};

describe("per-core horizons", () => {
  // Two groups of two cores: 10 cycles within a group, 50 between.
  const table: LagTable = { groups: 2, group: [0, 0, 1, 1], between: [10, 50, 50, 10] };

  it("a core goes up to the earliest message another core could send it, or its own round trip", () => {
    const h = new Horizons(table, 4);
    // Core 0 alone: nothing can reach it before its own message comes back (2 x 10).
    expect(bounds(h, [100, Infinity, Infinity, Infinity]).out).toEqual([120, null, null, null]);
    // Its group mate at 105: 105 + 10. Core 1's own bound: core 0's 100 + 10.
    expect(bounds(h, [100, 105, Infinity, Infinity]).out).toEqual([115, 110, null, null]);
    // A core of the other group at 100 bounds core 0 at 150, and itself at 120.
    expect(bounds(h, [130, Infinity, 100, Infinity]).out).toEqual([150, null, 120, null]);
  });

  it("chains through a third core are no shorter than the lags once they are closed under the triangle inequality", () => {
    // 0 -> 2 directly takes 100, through core 1 only 20: the closure makes it 20.
    const h = new Horizons({ groups: 3, group: [0, 1, 2], between: [10, 10, 100, 10, 10, 10, 100, 10, 10] }, 3);
    expect(bounds(h, [0, Infinity, 50]).out).toEqual([20, null, 20]);
  });

  it("cores that never message each other bound each other not at all", () => {
    // Group 1 (cores 1, 2) only talks to group 0 (core 0), and back.
    const h = new Horizons({ groups: 2, group: [0, 1, 1], between: [null, 30, 20, null] }, 3);
    // Core 2 hears from core 1 only through core 0: 20 + 30; core 1 likewise, or its own round trip.
    expect(bounds(h, [Infinity, 0, 10]).out).toEqual([null, 50, 50]);
  });

  it("the global window: every core up to T + the smallest lag; both are capped at the limit", () => {
    const g = new Horizons(table, 4, "global");
    expect(bounds(g, [130, Infinity, 100, 400])).toEqual({ T: 100, out: [110, null, 110, 110] });
    expect(bounds(new Horizons(table, 4), [100, 105, Infinity, Infinity], 112).out).toEqual([112, 110, null, null]);
  });

  it("refuses a lag table that does not fit the system, or a lag under a cycle", () => {
    expect(() => new Horizons(table, 3)).toThrow(/4 cores grouped, the system has 3/);
    expect(() => new Horizons({ ...table, between: [10, 0, 50, 10] }, 4)).toThrow(/integer >= 1 cycle/);
  });
});

/**
 * Random traffic over random lag tables: each core, on an event, may send to
 * any core its group talks to, at the pair's lag or later. Horizons must give
 * the run the global window gives, in fewer or as many windows.
 */
function randomSystem(lags: LagTable, sends: number[][], seed: number): System {
  const cores = lags.group.length;
  const lag = (a: number, b: number) => lags.between[lags.group[a] * lags.groups + lags.group[b]];
  const kernel = (core: number, state = { seen: [] as number[], n: 0 }) => ({
    handle(e: SimEvent, ctx: Context) {
      state.seen.push(ctx.now);
      const plan = sends[(core * 7 + state.n++ + seed) % sends.length];
      if (e.cls !== EventClass.Hardware) ctx.charge(plan[0] % 40);
      if (state.n > 30) return;
      for (const x of plan.slice(1)) {
        const dst = x % cores;
        const l = lag(core, dst);
        if (dst === core || l === null) continue;
        ctx.send(dst, "m", null, l + (x % 5 < 2 ? 0 : x % 17), x % 3 === 0 ? EventClass.Hardware : EventClass.Message);
      }
    },
    snapshot: () => state,
    result: () => state.seen,
  });
  return {
    cores,
    lookahead: lags,
    boot: (c) => kernel(c),
    restore: (c, s) => kernel(c, s as { seen: number[]; n: number }),
    initial: (c) => [{ time: c * 3, cls: EventClass.Control, src: -1, seq: c, kind: "go", data: null }],
  };
}

const lagTables = fc.integer({ min: 1, max: 4 }).chain((groups) =>
  fc.record({
    groups: fc.constant(groups),
    group: fc.array(fc.integer({ min: 0, max: groups - 1 }), { minLength: 2, maxLength: 9 }),
    between: fc.array(fc.option(fc.integer({ min: 1, max: 60 }), { freq: 4 }), { minLength: groups * groups, maxLength: groups * groups }),
  }),
);

describe("horizons against the global window", () => {
  it("random traffic: the same run, hash and trace, in no more windows", async () => {
    await fc.assert(
      fc.asyncProperty(lagTables, fc.array(fc.array(fc.nat(1000), { minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 8 }), fc.nat(100), async (lags, sends, seed) => {
        const sys = randomSystem(lags, sends, seed);
        const global = await simulateInProcess(sys, { windows: "global", trace: true });
        const horizons = await simulateInProcess(sys, { windows: "horizons", trace: true });
        expect(horizons.hash).toBe(global.hash);
        expect(horizons.cores).toEqual(global.cores);
        expect(horizons.trace).toEqual(global.trace);
        expect(horizons.stats.windows).toBeLessThanOrEqual(global.stats.windows);
      }),
      { numRuns: 200, seed: 14 },
    );
  });

  it("a message sooner than its pair's lag, or between cores that never message each other, is refused", async () => {
    const lags: LagTable = { groups: 2, group: [0, 1], between: [null, 30, null, null] };
    const send = (delay: number, dst: number): System => ({
      ...tokenRing({ cores: 2, laps: 1, work: 0, delay: 100 }),
      lookahead: lags,
      boot: (core) => ({ handle: (_e: SimEvent, ctx: Context) => void (core === 0 && ctx.send(dst, "m", null, delay)), snapshot: () => null, result: () => null }),
      initial: () => [{ time: 0, cls: EventClass.Control, src: -1, seq: 0, kind: "go", data: null }],
    });
    await expect(simulateInProcess(send(29, 1))).rejects.toThrow(/core 0 -> 1: delay 29 is below the lookahead 30/);
    await expect(simulateInProcess({ ...send(30, 0), boot: (core) => ({ handle: (_e: SimEvent, ctx: Context) => void (core === 1 && ctx.send(0, "m", null, 99)), snapshot: () => null, result: () => null }) })).rejects.toThrow(
      /core 1 -> 0: the lookahead has no message between these cores/,
    );
  });
});
