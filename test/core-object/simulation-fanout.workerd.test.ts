// The platform's limits hold by construction: no object calls more than
// `fanout` subtree roots (plus as many delivery roots, in a window), the Simulation
// spends a bounded number of calls per invocation, and calls nest only as
// deep as the trees.
import { describe, expect, it } from "vitest";
import { expectInProcessOutcome, simulation, stepToEnd } from "./durable-helpers.ts";
import { relaySpec } from "./relay-experiment.ts";
import { BATON_WINDOWS } from "../../src/core-object/baton.ts";

describe("bounded fan-out", () => {
  it("13 busy cores, fan-out 3: at most 3 subtree calls per object, 1 delivery each", async () => {
    const spec = relaySpec(13, { hops: 5, stride: 5 });
    const stub = simulation("fanout");
    // 12 calls per invocation, the least allowed: room for boot and 2 windows, or 3 windows, then the collection; the barrier tree alone, without the baton.
    await stub.start(spec, { continueByAlarm: false, fanout: 3, maxCallsPerInvocation: 12, baton: 0 });
    const status = await stepToEnd(stub);
    expect(status.state).toBe("done");
    expect(status.calls.fanout).toBe(3);
    // A relay core sends to one core per window: subtree calls plus that delivery.
    expect(status.calls.peak).toBeLessThanOrEqual(4);
    // Simulation -> 3 roots of 4 or 5 cores -> up to 3 of 1 or 2 -> 1, each delivering to one more core: five levels of calls.
    expect(status.calls.depth).toBe(5);
    expect(status.calls.ownPeak).toBeLessThanOrEqual(12);
    expect(status.calls.invocations).toBeGreaterThanOrEqual(Math.ceil(status.progress.windows / 3));
    await expectInProcessOutcome(spec, await stub.outcome());
  });

  it("a core messaging 15 cores sends through a tree: still at most 3 + 3 calls per object", async () => {
    const spec = relaySpec(16, { hops: 1, spray: 15 });
    const stub = simulation("spray");
    const { status, outcome } = await stub.run(spec, { fanout: 3 });
    expect(status.state).toBe("done");
    expect(status.calls.fanout).toBe(3);
    // Core 0: 3 subtree roots and 3 delivery roots; every relay passes on to at most 3.
    expect(status.calls.peak).toBe(6);
    await expectInProcessOutcome(spec, outcome);
  });

  it("a core holding the baton starts the cores due next in their deliveries only up to the fan-out, and calls a wider window's through the tree", async () => {
    // One token: core 0 alone in window 1, then due in window 2 every core it sprayed.
    for (const [spray, saved] of [
      // Window 2 started by core 0's three deliveries: the Simulation's three calls saved.
      [3, 3],
      // Window 2 has 15 cores: core 0 calls their 3 subtree roots, as the Simulation would have.
      [15, 0],
    ]) {
      const spec = relaySpec(spray + 1, { hops: 1, tokens: 1, spray });
      const runs = [];
      for (const baton of [0, BATON_WINDOWS]) {
        const { status, outcome } = await simulation(`spray-baton-${spray}-${baton}`).run(spec, { fanout: 3, baton });
        expect(status.progress.windows).toBe(2);
        expect(status.calls.peak).toBeLessThanOrEqual(2 * 3);
        await expectInProcessOutcome(spec, outcome);
        runs.push(status.calls);
      }
      const [without, withBaton] = runs;
      // Boot: 3 subtree roots; window 1: core 0 (window 2 too, without the baton); collection: 3 roots.
      expect(withBaton.ownPeak).toBe(3 + 1 + 3);
      expect(without.total - withBaton.total).toBe(saved);
    }
  });
});
