// The README names every status code the API answers with: those its OpenAPI
// document lists, 405 for a wrong method and 500 for an error of its own.
import { describe, expect, it } from "vitest";
import readme from "../../README.md?raw";
import { json, request } from "./helpers.ts";

describe("the README's list of error codes", () => {
  it("names every code the API gives", async () => {
    const doc = await json(await request("GET", "/openapi.json"), 200);
    const documented = Object.values(doc.paths as Record<string, Record<string, { responses: Record<string, unknown> }>>)
      .flatMap((item) => Object.values(item).flatMap((op) => Object.keys(op.responses)))
      .map(Number)
      .filter((code) => code >= 400);
    const codes = [...new Set([...documented, 405, 500])].sort();
    const list = readme.slice(readme.indexOf("Every error is JSON"), readme.indexOf("Machines and the SKB:"));
    for (const code of codes) expect(list, `the README's error list names ${code}`).toMatch(new RegExp(`\\b${code}\\b`));
    expect(codes).toContain(415);
  });
});
