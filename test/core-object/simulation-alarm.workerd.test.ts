// A run outlives the request that started it: start() returns at once, and
// alarms advance the run a bounded number of windows per invocation.
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { core, expectInProcessOutcome, simulation } from "./durable-helpers.ts";
import { relaySpec } from "./relay-experiment.ts";

describe("continuation by alarm", () => {
  it("start() returns before booting; alarms carry the run to the end, 2 windows at a time", async () => {
    const spec = relaySpec(4, { hops: 9 });
    const stub = simulation("alarm");
    // Without the baton, whose windows would count in an invocation's 2 as they ran.
    const started = await stub.start(spec, { windowsPerInvocation: 2, baton: 0 });
    expect(started).toMatchObject({ state: "booting", progress: { windows: 0 }, calls: { invocations: 0 } });
    const deadline = Date.now() + 20_000;
    let status = started;
    while (status.state === "booting" || status.state === "running") {
      expect(Date.now()).toBeLessThan(deadline);
      await new Promise((r) => setTimeout(r, 20));
      status = (await stub.status())!;
    }
    expect(status.state).toBe("done");
    expect(status.calls.invocations).toBe(Math.ceil(status.progress.windows / 2));
    expect(status.wallMs).toBeGreaterThanOrEqual(0);
    await expectInProcessOutcome(spec, await stub.outcome());
  });

  it("a finished simulation expires by alarm: the Simulation and every core are deleted", async () => {
    const stub = simulation("expires");
    const { status } = await stub.run(relaySpec(3, { hops: 1 }), {});
    expect(status.state).toBe("done");
    const object = stub as unknown as DurableObjectStub;
    // An alarm before the expiry leaves it be.
    expect(await runDurableObjectAlarm(object)).toBe(true);
    expect(await stub.status()).not.toBeNull();
    // As if RUN_RETENTION_SECONDS had passed.
    await runInDurableObject(object, (o) => {
      (o as unknown as { rec: { endedAt: number } }).rec.endedAt -= Number(env.RUN_RETENTION_SECONDS) * 1000;
    });
    expect(await runDurableObjectAlarm(object)).toBe(true);
    expect(await stub.status()).toBeNull();
    for (let c = 0; c < 3; c++) {
      const stored = await runInDurableObject(core("expires", c) as unknown as DurableObjectStub, (_o, state) => state.storage.kv.get("meta"));
      expect(stored).toBeUndefined();
    }
  });
});
