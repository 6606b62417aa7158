// The platform's limits hold by construction: no object calls more than
// `fanout` subtree roots, the Run spends a bounded number of calls per
// invocation, and calls nest only as deep as the tree.
import { describe, expect, it } from "vitest";
import { expectInProcessOutcome, run, stepToEnd } from "./durable.ts";
import { relaySpec } from "./toy.ts";

describe("bounded fan-out", () => {
  it("20 busy cores, fan-out 3: at most 3 subtree calls per object, 1 delivery each", async () => {
    const spec = relaySpec(20, { laps: 1, stride: 7 });
    const stub = run("fanout");
    // 24 calls per invocation: room for 6 windows of 3 root calls, with the collection's.
    await stub.start(spec, { continueByAlarm: false, fanout: 3, maxCallsPerInvocation: 24 });
    const status = await stepToEnd(stub);
    expect(status.state).toBe("done");
    expect(status.calls.fanout).toBe(3);
    // A relay core sends to one core per window: subtree calls plus that delivery.
    expect(status.calls.peak).toBeLessThanOrEqual(4);
    // Run -> 3 roots of ~7 cores -> 3 of ~2 -> 1: four levels of objects.
    expect(status.calls.depth).toBe(4);
    expect(status.calls.runPeak).toBeLessThanOrEqual(24);
    expect(status.calls.invocations).toBeGreaterThan(1);
    await expectInProcessOutcome(spec, await stub.outcome());
  });

  it("a core whose window needs more calls than one invocation may make fails the run", async () => {
    const stub = run("too-many");
    // Core 0 messages 15 cores at once: 15 deliveries plus its subtree calls, over the bound of 12.
    const { status, outcome } = await stub.run(relaySpec(16, { laps: 1, spray: 15 }), { fanout: 3, maxCallsPerInvocation: 12 });
    expect(status.state).toBe("failed");
    expect(status.error).toMatch(/^core 0: window 0 needs 1[5-8] calls, more than the 12 allowed per invocation$/);
    expect(outcome).toBeNull();
  });
});
