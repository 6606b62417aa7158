import { runInDurableObject } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { RpcProbe } from "../../src/core-object/rpc-probe.ts";
import { probeStub } from "../../src/core-object/stubs.ts";

describe("RpcProbe", () => {
  it("answers ping over DO-to-DO RPC", async () => {
    const probe = probeStub(env.RPC_PROBE, "a");
    expect(await probe.ping(41)).toBe(42);
  });

  it("drives n calls sequentially and with calls in flight", async () => {
    const driver = probeStub(env.RPC_PROBE, "driver");
    for (const inFlight of [1, 8]) {
      const r = await driver.drive("peer", 50, inFlight);
      expect(r).toMatchObject({ calls: 50, inFlight });
      expect(r.wallMs).toBeGreaterThanOrEqual(0);
      expect(r.msPerCall).toBeCloseTo(r.wallMs / 50);
    }
  });

  // Called on the instance: a rejecting RPC leaks an unhandled rejection in
  // vitest-pool-workers (cloudflare/workers-sdk#14736) and fails the run.
  it("rejects bad arguments", async () => {
    const driver = env.RPC_PROBE.getByName("driver") as DurableObjectStub<RpcProbe>;
    await runInDurableObject(driver, async (probe: RpcProbe) => {
      await expect(probe.drive("peer", 0, 1)).rejects.toThrow(/n must be/);
      await expect(probe.drive("peer", 4, 5)).rejects.toThrow(/inFlight must be/);
    });
  });
});

describe("GET /__bench/rpc", () => {
  const get = (path: string) => exports.default.fetch(`http://edgefish${path}`);

  it("runs the probe", async () => {
    const res = await get("/__bench/rpc?n=20&inFlight=4");
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ calls: 20, inFlight: 4 });
  });

  it.each([
    ["n=abc", "n"],
    ["n=0", "n"],
    ["n=1.5", "n"],
    ["n=", "n"],
    ["n=100000", "n"],
    ["n=10&inFlight=0", "inFlight"],
    ["n=10&inFlight=11", "inFlight"],
    ["inFlight=-1", "inFlight"],
  ])("answers 400 naming the field for ?%s", async (query, field) => {
    const res = await get(`/__bench/rpc?${query}`);
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: { field, reason: expect.any(String) } });
  });
});
