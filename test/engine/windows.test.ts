import { describe, expect, it } from "vitest";
import { CoreRuntime, EventClass, InProcessTransport, simulateInProcess, type SimEvent } from "../../src/engine/index.ts";
import { tokenRing } from "./toy-system.ts";

describe("conservative windows", () => {
  it("one window per hop when each hop takes exactly the lookahead", async () => {
    const out = await simulateInProcess(tokenRing({ cores: 4, laps: 3, work: 0, delay: 100 }));
    expect(out.stats.events).toBe(12);
    expect(out.stats.messages).toBe(11);
    expect(out.stats.windows).toBe(12);
    expect(out.cores[0].result).toEqual([0, 400, 800]);
  });

  it("skips empty stretches of virtual time", async () => {
    const out = await simulateInProcess(tokenRing({ cores: 2, laps: 2, work: 5, delay: 1_000_000_000, lookahead: 10 }));
    expect(out.stats.windows).toBe(4);
    expect(out.stats.simulatedCycles).toBe(3_000_000_005 + 15);
  });

  it("a window holds every event before T + L, on every core", async () => {
    // A long lookahead relative to the hop: several hops fall into one window.
    const out = await simulateInProcess(tokenRing({ cores: 4, laps: 2, work: 10, delay: 100, lookahead: 100 }));
    const seen = out.cores.map((c) => c.result);
    expect(seen).toEqual([[0, 440], [110, 550], [220, 660], [330, 770]]);
  });

  it("a time past 2^53 cycles is its own error, naming the core and what asked for it", async () => {
    await expect(simulateInProcess(tokenRing({ cores: 2, laps: 2, work: 2 ** 53, delay: 100 }))).rejects.toThrow(
      /^core 0: a charge of 9007199254740992 cycles would take simulated time past 2\^53 cycles, the most the engine counts exactly$/,
    );
    await expect(simulateInProcess(tokenRing({ cores: 2, laps: 2, work: 0, delay: 2 ** 52 + 1, lookahead: 10 }))).rejects.toThrow(
      /core 1: a message to core 0 of 4503599627370497 cycles would take simulated time past 2\^53 cycles/,
    );
  });

  it("refuses a message sooner than the lookahead", async () => {
    await expect(simulateInProcess(tokenRing({ cores: 2, laps: 1, work: 0, delay: 50, lookahead: 60 }))).rejects.toThrow(/below the lookahead 60/);
  });

  it("a core is busy for the cycles a handler charges: the next event starts when it ends", () => {
    const k = { handle: (_e: SimEvent, ctx: { charge(n: number): void }) => ctx.charge(70), snapshot: () => null, result: () => null };
    const starts: number[] = [];
    const rt = CoreRuntime.boot(0, k, [0, 1, 2].map((seq) => ({ time: 10, cls: EventClass.Message, src: 1, seq, kind: "x", data: null })), 10, 2, true);
    rt.process(Infinity, () => {});
    for (const r of rt.trace!) if (r.type === "handler") starts.push(r.start);
    expect(starts).toEqual([10, 80, 150]);
    expect(rt.clock).toBe(220);
  });

  it("stops at a window boundary when the event or cycle limit is reached", async () => {
    const sys = tokenRing({ cores: 3, laps: 100, work: 0, delay: 100 });
    const byEvents = await simulateInProcess(sys, { limits: { maxEvents: 10, maxCycles: Number.MAX_SAFE_INTEGER } });
    expect(byEvents.stats).toMatchObject({ events: 10, stopped: "max-events" });
    const byCycles = await simulateInProcess(sys, { limits: { maxEvents: Number.MAX_SAFE_INTEGER, maxCycles: 1000 } });
    expect(byCycles.stats).toMatchObject({ events: 10, stopped: "max-cycles" });
  });

  it("the transport only visits cores with work", async () => {
    const t = new InProcessTransport(tokenRing({ cores: 1000, laps: 1, work: 0, delay: 100 }));
    expect(await t.start()).toBe(0);
    const w = t.window(new Float64Array(1000).fill(100));
    expect(w).toEqual({ events: 1, messages: 1, next: 100 });
  });
});

describe("windows with several cores due at once", () => {
  it("a due core that receives a message before it runs costs no empty window", async () => {
    // Cores 0 and 1 both start at time 0; core 0 (processed first) sends to core 1.
    const sys = {
      cores: 2,
      lookahead: 100,
      boot: () => ({
        handle: (e: SimEvent, ctx: { core: number; send(d: number, k: string, x: null, delay: number): void }) => {
          if (e.kind === "start" && ctx.core === 0) ctx.send(1, "hello", null, 100);
        },
        snapshot: () => null,
        result: () => null,
      }),
      restore: () => {
        throw new Error("not persisted");
      },
      initial: (core: number) => [{ time: 0, cls: EventClass.Control, src: -1, seq: core, kind: "start", data: null }],
    };
    const out = await simulateInProcess(sys);
    expect(out.stats).toMatchObject({ events: 3, messages: 1, windows: 2 });
  });
});
