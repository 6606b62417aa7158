// Cores with different clocks in one machine: time is one global unit (cycles
// of the reference clock) while each core charges cycles of its own clock,
// which its kernel turns into global time (Kernel.time); stalls and delays
// are global time already.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { CoreRuntime, EventClass, simulateInProcess, type Context, type Kernel, type SimEvent } from "../../src/engine/index.ts";
import { tokenRing } from "./toy-system.ts";

const start: SimEvent = { time: 0, cls: EventClass.Control, src: -1, seq: 0, kind: "go", data: null };

/** A core at `period` reference cycles a cycle that charges `work`, stalls `stall`, and times a message `delay` after. */
function core(o: { period?: number; work: number; stall?: number; delay?: number; time?: (c: number) => number }): Kernel & { log: number[] } {
  const log: number[] = [];
  const time = o.time ?? (o.period === undefined ? undefined : (c: number) => Math.round(c * o.period!));
  return {
    log,
    handle(e: SimEvent, ctx: Context) {
      log.push(ctx.now);
      if (e.kind !== "go") return;
      ctx.charge(o.work);
      log.push(ctx.now);
      ctx.stall(o.stall ?? 0);
      log.push(ctx.now);
      if (o.delay !== undefined) ctx.after(o.delay, "tick", null);
    },
    snapshot: () => null,
    result: () => null,
    ...(time ? { time } : {}),
  };
}

describe("heterogeneous clocks in the engine", () => {
  it("a charge takes the core's own cycles: twice the global time on a core at half the reference clock", () => {
    const k = core({ period: 2, work: 300, stall: 50, delay: 10 });
    const rt = CoreRuntime.boot(0, k, [start], 1, 1, false);
    rt.process(Infinity, () => {});
    // 300 cycles of work are 600 of time; the stall (50) and the timer's delay (10) are time already: the timer runs at 660.
    expect(k.log).toEqual([0, 600, 650, 660]);
    expect(rt.clock).toBe(660);
  });

  it("a core at the reference clock charges its cycles unchanged, with or without Kernel.time", () => {
    const plain = core({ work: 300, stall: 50 });
    const unit = core({ period: 1, work: 300, stall: 50 });
    for (const k of [plain, unit]) CoreRuntime.boot(0, k, [start], 1, 1, false).process(Infinity, () => {});
    expect(unit.log).toEqual(plain.log);
    expect(plain.log).toEqual([0, 300, 350]);
  });

  it("a fast core's charges take fewer cycles of time, rounded to the nearest", () => {
    const k = core({ period: 1 / 3, work: 100 });
    CoreRuntime.boot(0, k, [start], 1, 1, false).process(Infinity, () => {});
    expect(k.log[1]).toBe(33);
  });

  it("a kernel whose clock gives no whole number of cycles is refused, naming the core", () => {
    const k = core({ time: (c) => c * 1.5, work: 3 });
    const rt = CoreRuntime.boot(4, k, [start], 1, 8, false);
    expect(() => rt.process(Infinity, () => {})).toThrow(/^core 4: 3 cycles of its clock come to 4.5 cycles of time$/);
  });

  it("a stall is checked as a charge is: whole cycles, never from a hardware event", () => {
    const bad: Kernel = { handle: (_e, ctx) => ctx.stall(-1), snapshot: () => null, result: () => null };
    expect(() => CoreRuntime.boot(0, bad, [start], 1, 1, false).process(Infinity, () => {})).toThrow(/^core 0: stall of -1 cycles$/);
    const hw: Kernel = { handle: (_e, ctx) => ctx.stall(5), snapshot: () => null, result: () => null };
    const probe: SimEvent = { ...start, cls: EventClass.Hardware };
    expect(() => CoreRuntime.boot(0, hw, [probe], 1, 1, false).process(Infinity, () => {})).toThrow(/hardware event cannot keep the CPU busy/);
  });

  it("a ring of cores at different clocks: each hop costs its sender's cycles at its sender's clock", async () => {
    const periods = [2, 1, 0.5];
    const ring = tokenRing({ cores: 3, laps: 2, work: 100, delay: 10 });
    const system = { ...ring, boot: (c: number) => Object.assign(ring.boot(c), { time: (x: number) => Math.round(x * periods[c]) }) };
    const o = await simulateInProcess(system);
    // Core 0 works 200 and the token reaches core 1 at 210; it works 100: core 2 at 320; it works 50: core 0 at 380, and so on.
    expect(o.cores.map((c) => c.result)).toEqual([[0, 380], [210, 590], [320, 700]]);
  });

  it("on any core at the reference clock, Kernel.time as the identity changes neither times nor hash", async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 0, max: 5000 }), fc.integer({ min: 1, max: 500 }), async (cores, work, delay) => {
        const ring = tokenRing({ cores, laps: 3, work, delay });
        const timed = { ...ring, boot: (c: number) => Object.assign(ring.boot(c), { time: (x: number) => x }) };
        const [a, b] = [await simulateInProcess(ring), await simulateInProcess(timed)];
        expect(b.hash).toBe(a.hash);
        expect(b.cores.map((c) => c.result)).toEqual(a.cores.map((c) => c.result));
      }),
      { numRuns: 25, seed: 17 },
    );
  });
});
