// A run never hangs: a kernel that throws ends it as failed, naming the core;
// cancel() stops it; bad input is refused before anything boots.
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { Simulation } from "../../src/core-object/simulation.ts";
import { simulation } from "./durable-helpers.ts";
import { relaySpec } from "./relay-experiment.ts";

describe("failures", () => {
  it("a kernel that throws fails the run with its core and message", async () => {
    const { status, outcome } = await simulation("kernel-throws").run(relaySpec(5, { hops: 4, failAt: { core: 3, token: 2 } }), { fanout: 2 });
    expect(status.state).toBe("failed");
    expect(status.error).toBe("core 3: token 2 refused");
    expect(outcome).toBeNull();
  });

  it("a time past 2^53 cycles fails the run with its own error, not an event limit", async () => {
    const { status } = await simulation("past-2-53").run(relaySpec(3, { hops: 3, delay: 2 ** 52 }), {});
    expect(status.state).toBe("failed");
    expect(status.error).toMatch(/^core \d: a message to core \d of \d+ cycles would take simulated time past 2\^53 cycles, the most the engine counts exactly$/);
  });

  it("cancel() stops a run where it is", async () => {
    const stub = simulation("cancelled");
    await stub.start(relaySpec(3, { hops: 10 }), { continueByAlarm: false });
    const before = await stub.step(1);
    expect((await stub.cancel())!.state).toBe("cancelled");
    const after = await stub.step(3);
    expect(after.state).toBe("cancelled");
    expect(after.progress).toEqual(before.progress);
    expect(await stub.outcome()).toBeNull();
  });

  // On the instance: a rejecting RPC leaks an unhandled rejection in vitest-pool-workers (cloudflare/workers-sdk#14736).
  it("refuses bad options and specs before booting anything", async () => {
    const stub = env.SIMULATION.getByName("refused") as DurableObjectStub<Simulation>;
    await runInDurableObject(stub, async (r: Simulation) => {
      await expect(r.start(relaySpec(3, { hops: 1 }), { fanout: 9 })).rejects.toThrow(/fanout must be/);
      await expect(r.start(relaySpec(3, { hops: 1 }), { maxCallsPerInvocation: 5000 })).rejects.toThrow(/maxCallsPerInvocation/);
      await expect(r.start({ ...relaySpec(3, { hops: 1 }), experiment: "nope" }, {})).rejects.toThrow(/unknown experiment/);
      await expect(r.start({ ...relaySpec(3, { hops: 1 }), cores: 5000 }, {})).rejects.toThrow(/at most 1024/);
      expect(r.status()).toBeNull();
      await r.start(relaySpec(3, { hops: 1 }), { continueByAlarm: false });
      await expect(r.start(relaySpec(3, { hops: 1 }), {})).rejects.toThrow(/already been started/);
    });
  });
});
