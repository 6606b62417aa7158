// What the API shows of one core: its clock, counters and the kernel's
// summary (channels, replica), read from the core's own object.
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { Simulation } from "../../src/core-object/simulation.ts";
import { EXPERIMENTS } from "../../src/experiments/index.ts";
import { preset } from "../../src/hwmodel/index.ts";
import { simulation } from "./durable-helpers.ts";

describe("a core's state", () => {
  it("matches the run's report of that core, with the kernel's channel summary", async () => {
    const e = EXPERIMENTS.byName("urpc")!;
    const [spec] = await e.plan(preset("amd-2x2")!, e.params.parse({ warmup: 1, iterations: 1, stream: 32, queue: 4 }));
    const stub = simulation("core-state");
    const { outcome } = await stub.run(spec, {});
    for (const report of outcome!.cores) {
      const s = (await stub.core(report.core))!;
      expect(s).toMatchObject({ simulation: "core-state", core: report.core, clock: report.clock, events: report.events, messages: report.messages, hash: report.hash, pending: 0, next: null });
      expect(s.window).toBeGreaterThan(0);
      expect(s.kernel).toHaveProperty("channels");
    }
  });

  it("has no core state before the cores boot, and refuses a core the run does not have", async () => {
    const e = EXPERIMENTS.byName("urpc")!;
    const [spec] = await e.plan(preset("amd-2x2")!, e.params.parse({}));
    const stub = env.SIMULATION.getByName("core-range") as DurableObjectStub<Simulation>;
    await runInDurableObject(stub, async (r: Simulation) => {
      await r.start(spec, { continueByAlarm: false });
      expect(await r.core(0)).toBeNull();
      await r.step(1);
      expect((await r.core(1))!.core).toBe(1);
      await expect(r.core(2)).rejects.toThrow(/core: must be an integer in \[0, 1\]/);
    });
  });
});
