// The limits of wrangler.toml: runs at once (MAX_CONCURRENT_RUNS, through
// the Registry; the queue has its own tests), and retention
// (RUN_RETENTION_SECONDS, by alarm).
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { Run } from "../../src/core-object/run.ts";
import type { Registry } from "../../src/core-object/registry.ts";
import { registryStub } from "../../src/core-object/stubs.ts";
import { expectError, finished, request, start } from "./helpers.ts";

const registry = () => registryStub(env.REGISTRY);
const small = { experiment: "lrpc", machine: "amd-2x2", params: { calls: 1 } };

describe("limits", () => {
  it("a run holds a place among MAX_CONCURRENT_RUNS until it ends", async () => {
    const id = await start(small);
    expect(await registry().active()).toContain(id);
    await finished(id);
    expect(await registry().active()).toEqual([]);
  });

  it("a lease a run never gave back runs out", async () => {
    const stub = env.REGISTRY.getByName("registry") as DurableObjectStub<Registry>;
    await runInDurableObject(stub, async (r: Registry, state) => {
      state.storage.kv.put("leases", { lost: Date.now() - 1 });
      expect(r.active()).toEqual([]);
      expect(await r.admit("next")).toEqual({ state: "running" });
      expect(r.active()).toEqual(["next"]);
      await r.release("next");
    });
  });

  it("a finished run expires RUN_RETENTION_SECONDS after it ended: the Run deletes itself, and so does its Simulation", async () => {
    const id = await start(small);
    await finished(id);
    const run = env.RUN.getByName(id) as unknown as DurableObjectStub<Run>;
    // An alarm before then (one set to drive the run, say) leaves it be, and sets the expiry again.
    expect(await runDurableObjectAlarm(run)).toBe(true);
    expect((await request("GET", `/api/runs/${id}`)).status).toBe(200);
    // As if RUN_RETENTION_SECONDS had passed.
    await runInDurableObject(run, (o: Run) => {
      (o as unknown as { rec: { endedAt: number } }).rec.endedAt -= Number(env.RUN_RETENTION_SECONDS) * 1000;
    });
    expect(await runDurableObjectAlarm(run)).toBe(true);
    await expectError(await request("GET", `/api/runs/${id}`), 404, "id");
    const tables = (state: DurableObjectState) => state.storage.sql.exec("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'doc'").toArray();
    expect(await runInDurableObject(run, (_o, state) => [state.storage.kv.get("run"), tables(state)])).toEqual([undefined, []]);
    expect(await runDurableObjectAlarm(env.SIMULATION.getByName(`${id}.0`) as unknown as DurableObjectStub)).toBe(true);
  });
});
