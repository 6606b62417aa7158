// Message conservation: a simulation whose transport loses, repeats or
// reorders a message fails, naming the channel; both real transports pass.
import { describe, expect, it } from "vitest";
import {
  checkConservation,
  ConservationError,
  CoreRuntime,
  simulate,
  simulateInProcess,
  type CollectedCore,
  type SimEvent,
  type System,
  type Transport,
} from "../../src/engine/index.ts";
import { tokenRing } from "./toy-system.ts";

type Fault = "drop" | "twice" | "late" | null;

/** Every core in one heap, like the in-process transport, but `fault` may mishandle the n-th message of a channel. */
function faulty(system: System, fault: (src: number, dst: number, n: number) => Fault): Transport {
  const cores = Array.from({ length: system.cores }, (_, c) => CoreRuntime.boot(c, system.boot(c), system.initial(c), system.lookahead, system.cores, false));
  const count = new Map<string, number>();
  const late: [number, SimEvent][] = [];
  const next = () => Math.min(...cores.map((c) => c.nextTime()));
  const agenda = new Float64Array(system.cores);
  const plan = () => cores.forEach((c, i) => (agenda[i] = c.nextTime()));
  return {
    agenda,
    start: async () => (plan(), next()),
    window(bounds) {
      let events = 0;
      let messages = 0;
      for (const c of cores) {
        if (c.nextTime() >= bounds[c.core]) continue;
        const w = c.process(bounds[c.core], (dst, e) => {
          const key = `${e.src}>${dst}`;
          const n = (count.get(key) ?? 0) + 1;
          count.set(key, n);
          const f = fault(e.src, dst, n);
          if (f === "late") return void late.push([dst, e]);
          if (f !== "drop") cores[dst].deliver(e);
          if (f === "twice") cores[dst].deliver(e);
          // A message held back arrives after the next one on its channel.
          for (const [d, held] of late.splice(0)) cores[d].deliver(held);
        });
        events += w.events;
        messages += w.messages;
      }
      plan();
      return { events, messages, next: next() };
    },
    collect: async () => ({
      cores: cores.map((c): CollectedCore => ({ core: c.core, clock: c.clock, events: c.events, messages: c.messages, pending: c.pending, hash: c.hash, result: c.kernel.result(), channels: c.channels.counts() })),
      trace: null,
    }),
  };
}

const ring = () => tokenRing({ cores: 3, laps: 4, work: 5, delay: 100 });
const run = (fault: (src: number, dst: number, n: number) => Fault) => simulate(faulty(ring(), fault), ring().lookahead);

describe("message conservation", () => {
  it("holds for a transport that delivers every message once, in order: the in-process outcome", async () => {
    const out = await run(() => null);
    expect(out.hash).toBe((await simulateInProcess(ring())).hash);
  });

  it("a lost message fails the simulation, naming its channel", async () => {
    const e = await run((src, dst, n) => (src === 1 && dst === 2 && n === 2 ? "drop" : null)).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ConservationError);
    expect((e as Error).message).toBe("message conservation: channel 1 -> 2: 2 messages sent, 1 delivered");
  });

  it("a message delivered twice fails the simulation, naming its channel", async () => {
    await expect(run((src, _dst, n) => (src === 2 && n === 1 ? "twice" : null))).rejects.toThrow(
      /^message conservation: channel 2 -> 0: message \d+ arrived after message \d+: delivered twice, or out of order$/,
    );
  });

  it("a message overtaken by a later one on its channel fails the simulation", async () => {
    const tokens = tokenRing({ cores: 2, laps: 3, work: 5, delay: 100 });
    // Core 0 sends core 1 three messages at once.
    const burst: System = {
      ...tokens,
      boot: (core) => ({
        handle: (e, ctx) => {
          if (core === 0 && e.kind === "go") for (let i = 0; i < 3; i++) ctx.send(1, "m", i, 100);
        },
        snapshot: () => null,
        result: () => null,
      }),
      initial: (core) => (core === 0 ? [{ time: 0, cls: 0, src: -1, seq: 0, kind: "go", data: null }] : []),
    };
    await expect(simulate(faulty(burst, (src, _d, n) => (src === 0 && n === 1 ? "late" : null)), burst.lookahead)).rejects.toThrow(
      /^message conservation: channel 0 -> 1: message 0 arrived after message 1/,
    );
  });

  it("names the lowest channel whose counts differ", () => {
    const core = (c: number, sent: number[], received: number[]) => ({ core: c, channels: { sent, received } });
    expect(() => checkConservation([core(0, [1, 3, 2, 1], []), core(1, [], [0, 3]), core(2, [], [])])).toThrow("channel 0 -> 2: 1 messages sent, 0 delivered");
    expect(() => checkConservation([core(0, [1, 3], []), core(1, [], [0, 3])])).not.toThrow();
  });
});
