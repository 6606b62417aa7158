// `assume`: a preset's costs as fitted under either reading of the paper's
// Table 2 latency (round trip, the default, or one-way), on every endpoint
// that takes a preset, as the CLI's --assume.
import { describe, expect, it } from "vitest";
import { CostModel, preset } from "../../src/hwmodel/index.ts";
import { expectError, json, request } from "./helpers.ts";

const oneWay = preset("amd-4x4", "one-way")!;
const roundTrip = preset("amd-4x4")!;

describe("assume", () => {
  it("GET /api/machines/{id}?assume=one-way shows the costs fitted reading Table 2 as one-way", async () => {
    const m = await json(await request("GET", "/api/machines/amd-4x4?assume=one-way"), 200);
    expect(m.machine.table2Latency).toBe("one-way");
    expect(m.roundTrip[3][12]).toBe(new CostModel(oneWay).roundTrip(3, 12));
    expect(m.roundTrip[3][12]).not.toBe(new CostModel(roundTrip).roundTrip(3, 12));
  });

  it("a run on a preset under either reading", async () => {
    const body = (assume?: string) => ({ experiment: "urpc", machine: "amd-4x4", engine: "inproc", ...(assume ? { assume } : {}) });
    const [rt, ow] = await Promise.all(
      [undefined, "one-way"].map(async (a) => (await json(await request("POST", "/api/runs?wait=true", body(a)), 200)).result),
    );
    expect(ow.rows).not.toEqual(rt.rows);
    // The status says which reading the numbers come from.
    const statusOf = async (assume?: string) => (await json(await request("POST", "/api/runs?wait=true", body(assume)), 200)).table2Latency;
    expect([await statusOf(), await statusOf("one-way")]).toEqual(["round-trip", "one-way"]);
    expect(await json(await request("POST", "/api/runs?wait=true", body("round-trip")), 200)).toMatchObject({ result: { rows: rt.rows } });
  });

  it("an SKB query over a preset under the one-way reading", async () => {
    const ask = async (assume?: string) =>
      (await json(await request("POST", "/api/skb/query", { machine: "amd-4x4", query: "rtt(3, 12, C)", ...(assume ? { assume } : {}) }), 200)).answers;
    const [rt, ow] = [await ask(), await ask("one-way")];
    expect(ow).toEqual([{ C: new CostModel(oneWay).roundTrip(3, 12) }]);
    expect(ow).not.toEqual(rt);
  });

  it("refuses a reading it does not know, and one given with a description", async () => {
    await expectError(await request("GET", "/api/machines/amd-4x4?assume=both"), 400, "assume", /round-trip or one-way/);
    await expectError(await request("POST", "/api/runs", { experiment: "urpc", assume: "sideways" }), 400, "assume", /round-trip or one-way/);
    const pair = { name: "pair", clockGHz: 2, packages: [{ id: 0, dies: [{ id: 0, cores: [0, 1] }] }], interconnect: { type: "fsb" } };
    await expectError(await request("POST", "/api/skb/query", { machineDescription: pair, assume: "one-way", query: "true" }), 400, "assume", /machineDescription gives its own/);
  });
});
