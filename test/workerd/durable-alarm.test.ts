// A run outlives the request that started it: start() returns at once, and
// alarms advance the run a bounded number of windows per invocation.
import { describe, expect, it } from "vitest";
import { expectInProcessOutcome, run } from "./durable.ts";
import { relaySpec } from "./toy.ts";

describe("continuation by alarm", () => {
  it("start() returns before booting; alarms carry the run to the end, 2 windows at a time", async () => {
    const spec = relaySpec(4, { laps: 3 });
    const stub = run("alarm");
    const started = await stub.start(spec, { windowsPerInvocation: 2 });
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
});
