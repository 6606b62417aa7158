// Simulation ids are the only handle on a run: a malformed one is refused before any
// object is touched, an unknown one is not found, and nothing of one run can
// be read or changed through another's id.
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { expectError, finished, json, request, start } from "./helpers.ts";

const ENDPOINTS = [
  ["GET", ""],
  ["DELETE", ""],
  ["GET", "/trace"],
  ["GET", "/cores/0"],
  ["GET", "/events"],
] as const;

const unknown = "0123456789abcdef0123456789abcdef";

describe("run ids", () => {
  it("are 128 random bits in hex, different every time", async () => {
    const a = await start({ experiment: "lrpc", machine: "amd-2x2", params: { calls: 1 }, engine: "inproc" });
    const b = await start({ experiment: "lrpc", machine: "amd-2x2", params: { calls: 1 }, engine: "inproc" });
    expect(a).toMatch(/^[0-9a-f]{32}$/);
    expect(b).not.toBe(a);
    await finished(a);
    await finished(b);
  });

  it.each(["abc", "0123456789ABCDEF0123456789ABCDEF", `${unknown}.0`, "registry", "x".repeat(32)])("refuses the malformed id %s everywhere", async (id) => {
    for (const [method, tail] of ENDPOINTS) await expectError(await request(method, `/api/runs/${encodeURIComponent(id)}${tail}`), 400, "id", /not a run id/);
  });

  it("answers 404 for a well-formed id that no run has, and leaves nothing stored", async () => {
    for (const [method, tail] of ENDPOINTS) await expectError(await request(method, `/api/runs/${unknown}${tail}`), 404, "id");
    const run = env.RUN.getByName(unknown) as unknown as DurableObjectStub;
    expect(await runInDurableObject(run, (_o, state) => state.storage.sql.exec("SELECT name FROM sqlite_master WHERE type = 'table'").toArray())).toEqual([]);
  });

  it("reach one run only: another's id, a run index or a core it lacks change nothing", async () => {
    const id = await start({ experiment: "lrpc", machine: "amd-2x2", params: { calls: 1 } });
    const before = await finished(id);
    await expectError(await request("DELETE", `/api/runs/${unknown}`), 404, "id");
    await expectError(await request("GET", `/api/runs/${id}/cores/1`), 400, "core", /cores 0\.\.0/);
    await expectError(await request("GET", `/api/runs/${id}/cores/0?simulation=1`), 400, "simulation", /simulations 0\.\.0/);
    await expectError(await request("GET", `/api/runs/${id}/cores/x`), 400, "core");
    await expectError(await request("GET", `/api/runs/${id}/trace?simulation=-1`), 400, "simulation");
    await expectError(await request("GET", `/api/runs/${id}?colour=red`), 400, "colour", /unknown field/);
    expect(await json(await request("GET", `/api/runs/${id}`), 200)).toEqual(before);
  });
});
