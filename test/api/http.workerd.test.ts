// The Worker as a web server: the demo page, the API reference, the OpenAPI
// document, and JSON errors for unknown paths and wrong methods.
import { describe, expect, it } from "vitest";
import { expectError, json, request } from "./helpers.ts";

const ENDPOINTS = [
  "get /api/machines",
  "get /api/machines/{id}",
  "post /api/machines/validate",
  "post /api/skb/query",
  "get /api/skb/routes",
  "get /api/experiments",
  "post /api/runs",
  "get /api/runs/{id}",
  "delete /api/runs/{id}",
  "get /api/runs/{id}/trace",
  "get /api/runs/{id}/cores/{core}",
  "get /api/runs/{id}/events",
];

/** URLs a page would fetch by itself: scripts, styles, images, frames. */
const assets = (html: string) => [...html.matchAll(/<(?:script|link|img|iframe)\b[^>]*\b(?:src|href)="([^"]+)"/g)].map((m) => m[1]);

describe("the web server", () => {
  it("documents every endpoint in /openapi.json", async () => {
    const doc = await json(await request("GET", "/openapi.json"), 200);
    expect(doc.openapi).toBe("3.0.0");
    const ops = Object.entries(doc.paths as Record<string, object>).flatMap(([path, item]) => Object.keys(item).map((m) => `${m} ${path}`));
    expect(ops.sort()).toEqual([...ENDPOINTS].sort());
    expect(doc.components.schemas).toHaveProperty("MachineDescription");
    expect(doc.components.schemas).toHaveProperty("Error");
  });

  it("serves a reference page at /docs, with no assets from elsewhere", async () => {
    const res = await request("GET", "/docs");
    expect(res.headers.get("content-type")).toMatch(/^text\/html/);
    const html = await res.text();
    for (const op of ENDPOINTS) expect(html).toContain(op.split(" ")[1]);
    expect(assets(html)).toEqual([]);
  });

  it("serves the demo page at /, with no assets from elsewhere", async () => {
    const res = await request("GET", "/");
    expect(res.headers.get("content-type")).toMatch(/^text\/html/);
    const html = await res.text();
    expect(html).toContain("Edgefish");
    expect(html).toContain("/api/runs");
    expect(assets(html)).toEqual([]);
  });

  it("lists the experiments with their parameters", async () => {
    const { experiments } = await json(await request("GET", "/api/experiments"), 200);
    const shootdown = experiments.find((e: { name: string }) => e.name === "shootdown");
    expect(shootdown).toMatchObject({ defaultMachine: "amd-8x4", sweepsCores: true, params: { type: "object" } });
    expect(shootdown.params.properties.protocols.default).toEqual(["unicast", "broadcast", "multicast", "numa-multicast"]);
    expect(experiments.find((e: { name: string }) => e.name === "lrpc").sweepsCores).toBe(false);
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
