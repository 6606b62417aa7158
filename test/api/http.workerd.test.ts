// The Worker as a web server: the OpenAPI document (an example for every
// request body, each one taken by its endpoint), the experiments with the
// paper's figures, and JSON errors for unknown paths and wrong methods. The
// demo page and /docs are static assets, tested in a browser (test/e2e).
import { describe, expect, it } from "vitest";
import { PAPER_POINTS } from "../../src/experiments/index.ts";
import { expectError, finished, json, request } from "./helpers.ts";

const ENDPOINTS = [
  "get /api/machines",
  "get /api/machines/{id}",
  "post /api/machines/validate",
  "post /api/skb/query",
  "get /api/skb/routes",
  "post /api/skb/routes",
  "get /api/experiments",
  "post /api/runs",
  "get /api/runs/{id}",
  "delete /api/runs/{id}",
  "get /api/runs/{id}/trace",
  "get /api/runs/{id}/cores/{core}",
  "get /api/runs/{id}/events",
];

describe("the web server", () => {
  it("documents every endpoint in /openapi.json", async () => {
    const doc = await json(await request("GET", "/openapi.json"), 200);
    expect(doc.openapi).toBe("3.0.0");
    const ops = Object.entries(doc.paths as Record<string, object>).flatMap(([path, item]) => Object.keys(item).map((m) => `${m} ${path}`));
    expect(ops.sort()).toEqual([...ENDPOINTS].sort());
    expect(doc.components.schemas).toHaveProperty("MachineDescription");
    expect(doc.components.schemas).toHaveProperty("Error");
  });

  it("gives every request body an example, which its endpoint takes", async () => {
    const doc = await json(await request("GET", "/openapi.json"), 200);
    const bodies = Object.entries(doc.paths as Record<string, Record<string, { requestBody?: { content: Record<string, { example?: unknown }> } }>>).flatMap(
      ([path, item]) => Object.entries(item).flatMap(([method, op]) => (op.requestBody ? [{ path, method, example: op.requestBody.content["application/json"]?.example }] : [])),
    );
    expect(bodies.map((b) => `${b.method} ${b.path}`).sort()).toEqual(ENDPOINTS.filter((e) => e.startsWith("post")).sort());
    for (const { path, method, example } of bodies) {
      expect(example, `${method} ${path}`).toBeDefined();
      const res = await request(method.toUpperCase(), path, example);
      expect([200, 202], `${method} ${path}: ${await res.clone().text()}`).toContain(res.status);
      if (res.status === 202) await finished(((await res.json()) as { id: string }).id);
    }
  });

  it("lists the experiments with their parameters", async () => {
    const { experiments } = await json(await request("GET", "/api/experiments"), 200);
    const shootdown = experiments.find((e: { name: string }) => e.name === "shootdown");
    expect(shootdown).toMatchObject({ defaultMachine: "amd-8x4", sweepsCores: true, params: { type: "object" } });
    expect(shootdown.params.properties.protocols.default).toEqual(["unicast", "broadcast", "multicast", "numa-multicast"]);
    expect(experiments.find((e: { name: string }) => e.name === "lrpc").sweepsCores).toBe(false);
  });

  it("gives the paper's figures with each experiment that has them", async () => {
    const { experiments } = await json(await request("GET", "/api/experiments"), 200);
    const byName = Object.fromEntries(experiments.map((e: { name: string; paper: unknown }) => [e.name, e.paper]));
    for (const [name, ref] of Object.entries(PAPER_POINTS)) expect(byName[name], name).toEqual(ref);
    expect(byName.lrpc).toBeNull();
    expect(byName.urpc).toBeNull();
  });

  it("answers 404 in JSON for an unknown path", async () => {
    await expectError(await request("GET", "/api/nothing"), 404, "path");
    await expectError(await request("GET", "/nothing"), 404, "path");
  });

  it("answers 405 in JSON, with Allow, for a wrong method", async () => {
    const res = await request("DELETE", "/api/machines");
    expect(res.headers.get("allow")).toBe("GET, HEAD");
    await expectError(res, 405, "method", /DELETE/);
    await expectError(await request("GET", "/api/runs"), 405, "method", /POST/);
    await expectError(await request("PUT", "/api/runs/0123456789abcdef0123456789abcdef"), 405, "method");
    await expectError(await request("POST", "/api/machines/amd-2x2", {}), 405, "method");
  });
});
