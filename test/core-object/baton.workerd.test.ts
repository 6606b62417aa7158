// The baton (baton.ts): while the cores due in a window are the ones the last
// window's holder sent to, the cores run the windows themselves, each started
// in the delivery that feeds it. The same windows, outcome and trace as
// in-process, with about one call per window instead of two; and under
// faults, since a window that passed the baton on is saved with the batches
// it handed on and passes them again when asked again.
import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { Simulation } from "../../src/core-object/simulation.ts";
import { BATON_WINDOWS } from "../../src/core-object/baton.ts";
import type { WindowPart } from "../../src/core-object/protocol.ts";
import { Horizons } from "../../src/engine/index.ts";
import { core, expectInProcessOutcome, simulation, stepToEnd } from "./durable-helpers.ts";
import { relaySpec } from "./relay-experiment.ts";

/** The cores that handled a window, from its parts. */
const coresOf = (parts: WindowPart[]): number[] => parts.flatMap((p) => p.next.filter((_, i) => i % 2 === 0));

// One token passed back and forth between two cores: every window has one core due, the one the last message went to.
const pingPong = relaySpec(2, { hops: 60, tokens: 1 });

describe("the baton", () => {
  it("runs the windows a token passed between two cores needs, one call each: same outcome and trace as in-process", async () => {
    const runs = [];
    for (const baton of [0, BATON_WINDOWS]) {
      const stub = simulation(`baton-${baton}`);
      const { status, outcome } = await stub.run(pingPong, { baton, trace: true });
      await expectInProcessOutcome(pingPong, { ...outcome!, trace: await stub.traceRecords() }, true);
      runs.push({ windows: status.progress.windows, calls: status.calls });
    }
    const [without, withBaton] = runs;
    expect(withBaton.windows).toBe(without.windows);
    // Without: a window call per window (and a delivery per message, and the boot's and the collection's calls).
    // With: the Simulation's call starts only every 1 + BATON_WINDOWS windows; the deliveries start the rest.
    const started = Math.ceil(without.windows / (1 + BATON_WINDOWS));
    expect(without.calls.total - withBaton.calls.total).toBe(without.windows - started);
    // Each window passed on nests one call: the Simulation's, the first core's, a delivery per window passed on, the last window's delivery.
    expect(withBaton.calls.depth).toBe(BATON_WINDOWS + 3);
    expect(without.calls.depth).toBe(3);
  });

  it("under evictions, restarts, failed and repeated deliveries: the fault-free outcome", async () => {
    const { status, outcome } = await simulation("baton-faults").run(pingPong, {
      faults: { seed: 5, evict: { rate: 0.3 }, restart: { rate: 0.15 }, failDeliveries: 0.3, duplicateDeliveries: 0.3 },
    });
    expect(status.state).toBe("done");
    expect(status.faults).toBeGreaterThan(20);
    await expectInProcessOutcome(pingPong, outcome);
  });

  it("asked for again (its answer lost), the baton runs no window twice: each core answers from what it saved and passes it on as before", async () => {
    const stub = simulation("baton-again");
    await stub.start(pingPong, { continueByAlarm: false });
    expect((await stub.step(1)).progress.windows).toBe(1 + BATON_WINDOWS);
    const before = await Promise.all([0, 1].map((c) => core("baton-again", c).state()));
    // Window 0 as the Simulation asked for it: core 0's token at time 0, core 1 idle.
    const agenda = Float64Array.from([0, Infinity]);
    const bounds = new Float64Array(2);
    new Horizons(100, 2).bounds(agenda, Infinity, bounds);
    const baton = { agenda, rule: "horizons" as const, maxCycles: Number.MAX_SAFE_INTEGER, eventsLeft: 1e9, windows: BATON_WINDOWS };
    const again = await core("baton-again", 0).window(0, [bounds[0]], [0], baton);
    expect(again.failure).toBeNull();
    expect(again.passed.map(coresOf)).toEqual(Array.from({ length: BATON_WINDOWS }, (_, i) => [(i + 1) % 2]));
    expect(await Promise.all([0, 1].map((c) => core("baton-again", c).state()))).toEqual(before);
    expect((await stepToEnd(stub)).state).toBe("done");
    await expectInProcessOutcome(pingPong, await stub.outcome());
  });

  it("a message to several cores: the holder starts each in its delivery, calls a core its messages did not go to, and asked for again, gets their windows from what they saved", async () => {
    // Core 0's first token goes on to core 1, and to cores 1 to 5 as a last hop: window 1 has core 0 due, window 2 the five, then the token goes round.
    const spray = relaySpec(6, { hops: 10, tokens: 1, spray: 5 });
    const runs = [];
    for (const baton of [0, BATON_WINDOWS]) {
      const stub = simulation(`baton-spray-${baton}`);
      const { status, outcome } = await stub.run(spray, { baton, trace: true });
      await expectInProcessOutcome(spray, { ...outcome!, trace: await stub.traceRecords() }, true);
      runs.push(status);
    }
    expect(runs[1].progress.windows).toBe(runs[0].progress.windows);
    expect(runs[1].calls.total).toBeLessThan(runs[0].calls.total - 5);

    const stub = simulation("baton-spray-again");
    await stub.start(spray, { continueByAlarm: false });
    expect((await stub.step(1)).progress.windows).toBe(1 + BATON_WINDOWS);
    const cores = [0, 1, 2, 3, 4, 5];
    const before = await Promise.all(cores.map((c) => core("baton-spray-again", c).state()));
    const agenda = Float64Array.from([0, Infinity, Infinity, Infinity, Infinity, Infinity]);
    const bounds = new Float64Array(6);
    new Horizons(100, 6).bounds(agenda, Infinity, bounds);
    const baton = { agenda, rule: "horizons" as const, maxCycles: Number.MAX_SAFE_INTEGER, eventsLeft: 1e9, windows: BATON_WINDOWS };
    const again = await core("baton-spray-again", 0).window(0, [bounds[0]], [0], baton);
    expect(again.failure).toBeNull();
    expect(again.passed).toHaveLength(BATON_WINDOWS);
    // Window 1: the five core 0 sprayed; window 2: core 2, which only core 1 sent to, called by core 0, and the baton with it.
    expect(again.passed.slice(0, 2).map(coresOf)).toEqual([[1, 2, 3, 4, 5], [2]]);
    expect(await Promise.all(cores.map((c) => core("baton-spray-again", c).state()))).toEqual(before);
    expect((await stepToEnd(stub)).state).toBe("done");
    await expectInProcessOutcome(spray, await stub.outcome());
  });

  it("a message to several cores, under evictions, restarts, failed and repeated deliveries: the fault-free outcome", async () => {
    const spray = relaySpec(6, { hops: 10, tokens: 1, spray: 5 });
    const { status, outcome } = await simulation("baton-spray-faults").run(spray, {
      faults: { seed: 9, evict: { rate: 0.3 }, restart: { rate: 0.15 }, failDeliveries: 0.3, duplicateDeliveries: 0.3 },
    });
    expect(status.state).toBe("done");
    expect(status.faults).toBeGreaterThan(5);
    await expectInProcessOutcome(spray, outcome);
  });

  // Called on the instance: a rejecting RPC leaks an unhandled rejection in vitest-pool-workers (cloudflare/workers-sdk#14736).
  it("is refused beyond its bound", async () => {
    await runInDurableObject(simulation("baton-bad") as unknown as DurableObjectStub<Simulation>, async (sim: Simulation) => {
      await expect(sim.start(pingPong, { baton: BATON_WINDOWS + 1 })).rejects.toThrow(`baton must be an integer in [0, ${BATON_WINDOWS}]`);
    });
  });
});
