// GET /api/machines, GET /api/machines/{id}, POST /api/machines/validate.
import { describe, expect, it } from "vitest";
import { CostModel, PRESET_NAMES, pairClasses, preset } from "../../src/hwmodel/index.ts";
import { expectError, json, request } from "./helpers.ts";

const fsbPair = { name: "pair", clockGHz: 2, packages: [{ id: 0, dies: [{ id: 0, cores: [0, 1] }] }], interconnect: { type: "fsb" } };

describe("machines", () => {
  it("lists the presets", async () => {
    const { machines } = await json(await request("GET", "/api/machines"), 200);
    expect(machines.map((m: { name: string }) => m.name)).toEqual(PRESET_NAMES);
    expect(machines.find((m: { name: string }) => m.name === "amd-8x4")).toMatchObject({ cores: 32, packages: 8, interconnect: "hypertransport" });
  });

  it("shows one: topology, pair classes and the round-trip matrix", async () => {
    const m = await json(await request("GET", "/api/machines/amd-4x4"), 200);
    const machine = preset("amd-4x4")!;
    const cost = new CostModel(machine);
    expect(m).toMatchObject({ cores: 16, packages: 4, diameter: machine.diameter, machine: { name: "amd-4x4", sharedCaches: machine.description.sharedCaches } });
    expect(m.pairClasses.map((c: { pair: string }) => c.pair)).toEqual(pairClasses(machine).map((c) => c.pair));
    expect(m.roundTrip).toHaveLength(16);
    expect(m.roundTrip[0][0]).toBe(0);
    expect(m.roundTrip[3][12]).toBe(cost.roundTrip(3, 12));
  });

  it("shows the heterogeneous preset with each core's clock, and lists its clocks", async () => {
    const m = await json(await request("GET", "/api/machines/amd-8x4-biglittle"), 200);
    expect(m.coreClockGHz).toEqual(Array.from({ length: 32 }, (_, c) => (c % 4 < 2 ? 1 : 2)));
    expect(m.roundTrip[0][1]).toBe(new CostModel(preset("amd-8x4-biglittle")!).roundTrip(0, 1));
    const { machines } = await json(await request("GET", "/api/machines"), 200);
    expect(machines.find((x: { name: string }) => x.name === "amd-8x4-biglittle")).toMatchObject({ clockGHz: 2, coreClocksGHz: [2, 1] });
    expect(machines.find((x: { name: string }) => x.name === "amd-8x4")).toMatchObject({ clockGHz: 2, coreClocksGHz: [2] });
  });

  it("answers 400 naming a die's or a package's clock out of range, and 422 for links on a front-side bus", async () => {
    const fast = { ...fsbPair, packages: [{ id: 0, clockGHz: 20, dies: [{ id: 0, cores: [0, 1], clockGHz: 0 }] }] };
    const e = await expectError(await request("POST", "/api/machines/validate", fast), 400, "packages[0].dies[0].clockGHz", /0.1 to 10 GHz/);
    expect(e.issues.map((i) => i.field)).toEqual(["packages[0].dies[0].clockGHz", "packages[0].clockGHz"]);
    const linked = { ...fsbPair, packages: [{ id: 0, links: { linkGBps: 1 }, dies: [{ id: 0, cores: [0, 1] }] }] };
    await expectError(await request("POST", "/api/machines/validate", linked), 422, "packages[0].links", /front-side-bus machine has no links/);
  });

  it("answers 404 for a machine that is not a preset", async () => {
    await expectError(await request("GET", "/api/machines/cray-1"), 404, "id", /presets are/);
  });

  it("validates a description and derives its summary", async () => {
    const m = await json(await request("POST", "/api/machines/validate", fsbPair), 200);
    expect(m).toMatchObject({ cores: 2, packages: 1, pairClasses: [{ pair: "same-die", cores: [0, 1] }], roundTrip: [[0, expect.any(Number)], [expect.any(Number), 0]] });
    expect(m.machine.costs).toHaveProperty("chipLeg");
  });

  it("answers 400 naming each field that does not fit the format", async () => {
    const e = await expectError(await request("POST", "/api/machines/validate", { ...fsbPair, clockGHz: "fast", packages: [], colour: 1 }), 400, "clockGHz");
    expect(e.issues.map((i) => i.field).sort()).toEqual(["clockGHz", "colour", "packages"]);
  });

  it("answers 422 naming each field of a description that is not a machine", async () => {
    const body = { ...fsbPair, packages: [{ id: 0, dies: [{ id: 0, cores: [0, 0, 5] }] }], sharedCaches: [{ level: 2, cores: [0, 9] }] };
    const e = await expectError(await request("POST", "/api/machines/validate", body), 422, "packages[0].dies[0].cores[1]", /duplicate core id 0/);
    expect(e.issues.map((i) => i.field)).toContain("sharedCaches[0].cores[1]");
  });

  it("lists at most 50 issues, however many a body holds", async () => {
    const values = Array.from({ length: 2 }, () => Array.from({ length: 1000 }, () => "x"));
    const e = await expectError(await request("POST", "/api/machines/validate", { ...fsbPair, latencyMatrix: { unit: "ns", values } }), 400, "latencyMatrix.values[0][0]");
    expect(e.issues).toHaveLength(51);
    expect(e.issues[50]).toEqual({ field: null, reason: "and 1950 more issues" });
  });

  it("refuses malformed JSON, other media types and empty bodies", async () => {
    await expectError(await request("POST", "/api/machines/validate", "{"), 400, "body", /not valid JSON/);
    await expectError(await request("POST", "/api/machines/validate", "name=x", { "content-type": "text/plain" }), 415, "Content-Type");
    await expectError(await request("POST", "/api/machines/validate"), 400, "name");
  });
});
