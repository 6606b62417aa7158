// Names every JavaScript object has (constructor, __proto__, toString,
// hasOwnProperty) are only names: a machine called so is no preset, and a
// description called so is a machine like any other.
import { describe, expect, it } from "vitest";
import { expectError, json, request } from "./helpers.ts";

const NAMES = ["constructor", "__proto__", "toString", "hasOwnProperty", "valueOf"];

const described = (name: string) => ({ name, clockGHz: 2, packages: [{ id: 0, dies: [{ id: 0, cores: [0, 1] }] }], interconnect: { type: "fsb" } });

describe("object property names", () => {
  it.each(NAMES)("GET /api/machines/%s is a 404 naming the id", async (name) => {
    await expectError(await request("GET", `/api/machines/${name}`), 404, "id", /presets are/);
  });

  it.each(NAMES)("an SKB query over a description named %s is answered", async (name) => {
    const r = await json(await request("POST", "/api/skb/query", { machineDescription: described(name), query: "core(C)" }), 200);
    expect(r).toMatchObject({ machine: name, answers: [{ C: 0 }, { C: 1 }] });
  });

  it.each(NAMES)("a preset named %s is refused as a preset name", async (name) => {
    await expectError(await request("POST", "/api/skb/query", { machine: name, query: "true" }), 400, "machine", /must be one of/);
    await expectError(await request("GET", `/api/skb/routes?machine=${name}`), 400, "machine", /must be one of/);
  });

  it("a run on a description named constructor runs", async () => {
    const res = await request("POST", "/api/runs?wait=true", { experiment: "lrpc", machineDescription: described("constructor"), engine: "inproc" });
    expect((await json(res, 200)).status).toBe("done");
  });
});
