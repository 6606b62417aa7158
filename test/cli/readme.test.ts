// The README's results section is what `report` prints: it cannot drift from
// what the code gives. `npm run -s cli -- report --write-readme` rewrites it.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { README, reportSection, withReport } from "../../src/cli/commands/report.ts";
import { output } from "./helpers.ts";

describe("the README's results", () => {
  const readme = readFileSync(README, "utf8");

  // The whole evaluation, in-process: a few seconds, more on a loaded machine.
  it("are the tables `report` prints", { timeout: 120_000 }, async () => {
    const { text } = await output("report");
    expect(reportSection(readme).text, "the README is stale: run npm run -s cli -- report --write-readme").toBe(text.trim());
  });

  it("are rewritten in place, between the markers and nowhere else", () => {
    const { start, end, text } = reportSection(readme);
    expect(withReport(readme, text)).toBe(readme);
    const rewritten = withReport(readme, "| new | table |");
    expect(reportSection(rewritten).text).toBe("| new | table |");
    expect(rewritten.slice(0, start)).toBe(readme.slice(0, start));
    expect(rewritten.slice(rewritten.length - (readme.length - end))).toBe(readme.slice(end));
  });

  it("need the markers: without them --write-readme says so", () => {
    expect(() => reportSection("# A README\n")).toThrowError(/^--write-readme: .*README\.md has no generated section/);
  });
});
