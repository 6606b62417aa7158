// POST /api/skb/query, and GET and POST /api/skb/routes.
import { describe, expect, it } from "vitest";
import { CostModel, Machine, preset } from "../../src/hwmodel/index.ts";
import { SystemKnowledgeBase, treeToDot } from "../../src/skb/index.ts";
import { expectError, json, request } from "./helpers.ts";

const query = (body: unknown) => request("POST", "/api/skb/query", body);

describe("POST /api/skb/query", () => {
  it("answers a query over a preset's facts", async () => {
    const r = await json(await query({ machine: "amd-2x2", query: "rtt(0, B, C), C > 500" }), 200);
    const rtt = new CostModel(preset("amd-2x2")!).roundTrip(0, 2);
    expect(r).toEqual({ machine: "amd-2x2", answers: [{ B: 2, C: rtt }, { B: 3, C: rtt }], truncated: false, output: "", outputTruncated: false });
  });

  it("answers over a described machine, up to maxAnswers", async () => {
    const machineDescription = { name: "quad", clockGHz: 2, packages: [{ id: 0, dies: [{ id: 0, cores: [0, 1, 2, 3] }] }], interconnect: { type: "fsb" } };
    const r = await json(await query({ machineDescription, query: "core(C)", maxAnswers: 2 }), 200);
    expect(r).toMatchObject({ machine: "quad", answers: [{ C: 0 }, { C: 1 }], truncated: true });
  });

  it("answers 400 with the position of a syntax error", async () => {
    const e = await expectError(await query({ machine: "amd-2x2", query: "rtt(0, B" }), 400, "query", /syntax error/);
    expect(e.position).toEqual({ line: 1, column: expect.any(Number) });
  });

  it("answers compound terms as structured JSON", async () => {
    const r = await json(await query({ machine: "amd-2x2", query: "route(unicast, 3, [send(F, C, [K-T|_])])" }), 200);
    expect(r.answers).toEqual([{ F: 3, C: "private", K: 0, T: { functor: "to", args: [0, new CostModel(preset("amd-2x2")!).roundTrip(3, 0), 3] } }]);
  });

  it("answers 422 when a query runs out of steps, or raises an exception: said for a person, with the ISO term", async () => {
    const steps = await expectError(await query({ machine: "amd-2x2", query: "repeat, fail", maxSteps: 1000 }), 422, "maxSteps", /1000 resolution steps/);
    expect(steps).toMatchObject({ limit: "steps", answers: [] });
    const e = await expectError(await query({ machine: "amd-2x2", query: "no_such_predicate(X)" }), 422, "query", /^unknown predicate no_such_predicate\/1; the SKB knows: core\/1, /);
    expect(e.term).toBe("error(existence_error(procedure,no_such_predicate/1),top_level/0)");
  });

  it("answers 422 to a query that would change the SKB, and the next query does not see it", async () => {
    await expectError(await query({ machine: "amd-2x2", query: "asserta(evil(1))" }), 422, "query", /^asserta\/1 may not be called in an SKB query/);
    await expectError(await query({ machine: "amd-2x2", query: "evil(X)" }), 422, "query", /^unknown predicate evil\/1/);
  });

  it("answers 422 to a query whose terms double, naming the limit it passed", async () => {
    const text = ["true", ...Array.from({ length: 30 }, (_, i) => `X${i + 1} = f(X${i},X${i})`)].join(", ");
    const res = await query({ machine: "amd-2x2", query: text, maxMs: 500 });
    const { error } = await json<{ error: { field: string; limit: string } }>(res, 422);
    // Which bound comes first, 1M cells or 500 ms, depends on the machine's speed.
    expect([error.field, error.limit]).toEqual(error.limit === "cells" ? ["query", "cells"] : ["maxMs", "time"]);
  });

  it("answers 400 to a query nested hundreds of levels deep", async () => {
    const e = await expectError(await query({ machine: "amd-2x2", query: `X = ${"f(".repeat(300)}a${")".repeat(300)}` }), 400, "query", /nested more than 100 levels deep/);
    expect(e.position).toEqual({ line: 1, column: 206 });
  });

  it("refuses a bad request", async () => {
    await expectError(await query({ query: "true" }), 400, "machine");
    await expectError(await query({ machine: "cray-1", query: "true" }), 400, "machine");
    await expectError(await query({ machine: "amd-2x2", query: "true", maxSteps: 0 }), 400, "maxSteps");
    await expectError(await query({ machine: "amd-2x2", query: "true", limit: 3 }), 400, "limit", /unknown field/);
    await expectError(await query({ machine: "amd-2x2", query: 42 }), 400, "query");
  });
});

describe("GET /api/skb/routes", () => {
  it("gives a routing tree as JSON, and as Graphviz", async () => {
    const kb = await SystemKnowledgeBase.for(preset("amd-4x4")!);
    const expected = await kb.route("radix", 5, { fanout: 3, cores: 12 });
    const tree = await json(await request("GET", "/api/skb/routes?machine=amd-4x4&kind=radix&root=5&fanout=3&cores=12"), 200);
    expect(tree).toEqual(expected);
    const res = await request("GET", "/api/skb/routes?machine=amd-4x4&kind=radix&root=5&fanout=3&cores=12&format=dot");
    expect(res.headers.get("content-type")).toMatch(/^text\/vnd\.graphviz/);
    expect(await res.text()).toBe(treeToDot(expected, preset("amd-4x4")!));
  });

  it("defaults to the NUMA-aware multicast from core 0", async () => {
    expect(await json(await request("GET", "/api/skb/routes?machine=amd-2x2"), 200)).toMatchObject({ kind: "numa-multicast", root: 0 });
  });

  it.each([
    ["machine=amd-2x2&root=4", "root", /0\.\.3/],
    ["machine=amd-2x2&root=-1", "root", /integer/],
    ["machine=amd-2x2&cores=9", "cores", /1\.\.4/],
    ["machine=amd-2x2&kind=tree", "kind", /must be one of/],
    ["machine=amd-2x2&fanout=2", "fanout", /only to kind radix/],
    ["machine=cray-1", "machine", /must be one of/],
    ["kind=unicast", "machine", null],
    ["machine=amd-2x2&format=svg", "format", null],
    ["machine=amd-2x2&colour=red", "colour", /unknown field/],
  ])("answers 400 for ?%s", async (q, field, reason) => {
    await expectError(await request("GET", `/api/skb/routes?${q}`), 400, field, reason ?? undefined);
  });
});

describe("POST /api/skb/routes", () => {
  const pair = { name: "pair", clockGHz: 2, packages: [{ id: 0, dies: [{ id: 0, cores: [0, 1] }] }, { id: 1, dies: [{ id: 0, cores: [2, 3] }] }], interconnect: { type: "hypertransport", links: [[0, 1]] } };

  it("gives the tree of a preset as GET does", async () => {
    const got = await json(await request("GET", "/api/skb/routes?machine=amd-4x4&kind=multicast&root=3"), 200);
    expect(await json(await request("POST", "/api/skb/routes", { machine: "amd-4x4", kind: "multicast", root: 3 }), 200)).toEqual(got);
  });

  it("gives the tree of a described machine, as JSON and as Graphviz", async () => {
    const m = Machine.from(pair);
    const expected = await (await SystemKnowledgeBase.for(m)).route("numa-multicast", 1, {});
    expect(await json(await request("POST", "/api/skb/routes", { machineDescription: pair, root: 1 }), 200)).toEqual(expected);
    const res = await request("POST", "/api/skb/routes", { machineDescription: pair, root: 1, format: "dot" });
    expect(await res.text()).toBe(treeToDot(expected, m));
  });

  it.each([
    [{ machine: "amd-2x2", root: 4 }, "root", /0\.\.3/],
    [{ machine: "amd-2x2", root: -1 }, "root", />= 0/],
    [{ machine: "amd-2x2", fanout: 2 }, "fanout", /only to kind radix/],
    [{ machine: "amd-2x2", machineDescription: pair }, "machineDescription", /not both/],
    [{ machineDescription: { ...pair, packages: [] } }, "machineDescription.packages", null],
    [{ kind: "unicast" }, "machine", null],
    [{ machine: "amd-2x2", colour: "red" }, "colour", /unknown field/],
  ])("answers an error naming the field for %j", async (body, field, reason) => {
    const res = await request("POST", "/api/skb/routes", body);
    expect([400, 422]).toContain(res.status);
    await expectError(res, res.status, field, reason ?? undefined);
  });
});
