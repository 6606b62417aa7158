import "../src/cli/require-node.ts";
import { mkdir, writeFile } from "node:fs/promises";
import { cpus } from "node:os";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import type { BenchEntry, Row } from "./entry";
import engine from "./engine";
import rpc from "./rpc";
import durable from "./durable";
import skb from "./skb";
import web from "./web";

// The registry: add an entry's module here, in the order to run.
const ENTRIES: BenchEntry[] = [rpc, engine, durable, skb, web];

const OUT = resolve(import.meta.dirname, "out/results.json");

function table(rows: Row[]): string {
  if (rows.length === 0) return "(no rows)";
  const cols = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  const numeric = cols.map((c) => rows.every((r) => r[c] === undefined || typeof r[c] === "number"));
  // Numbers of a column get as many decimals as its most precise value, so points line up.
  const decimals = cols.map((c) => Math.max(0, ...rows.map((r) => String(r[c] ?? "").split(".")[1]?.length ?? 0)));
  const cells = rows.map((r) =>
    cols.map((c, i) => (r[c] === undefined ? "" : numeric[i] ? (r[c] as number).toFixed(decimals[i]) : String(r[c]))),
  );
  const width = cols.map((c, i) => Math.max(c.length, ...cells.map((row) => row[i].length)));
  const line = (vals: string[]) =>
    vals.map((v, i) => (numeric[i] ? v.padStart(width[i]) : v.padEnd(width[i]))).join("  ");
  return [line(cols), width.map((w) => "-".repeat(w)).join("  "), ...cells.map(line)].join("\n");
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { only: { type: "string", multiple: true } } });
  const wanted = values.only?.flatMap((s) => s.split(","));
  const unknown = wanted?.filter((w) => !ENTRIES.some((e) => e.name === w)) ?? [];
  if (unknown.length > 0) {
    throw new Error(`unknown entry ${unknown.join(", ")}; known: ${ENTRIES.map((e) => e.name).join(", ")}`);
  }
  const selected = wanted ? ENTRIES.filter((e) => wanted.includes(e.name)) : ENTRIES;

  const results: Record<string, { title: string; seconds: number; rows: Row[] }> = {};
  for (const entry of selected) {
    console.log(`\n== ${entry.name}: ${entry.title}`);
    const start = performance.now();
    const rows = await entry.run();
    const seconds = (performance.now() - start) / 1000;
    console.log(table(rows));
    console.log(`(${seconds.toFixed(1)} s)`);
    results[entry.name] = { title: entry.title, seconds, rows };
  }

  await mkdir(resolve(OUT, ".."), { recursive: true });
  const host = { node: process.version, platform: process.platform, arch: process.arch, cpu: cpus()[0]?.model, cpus: cpus().length };
  await writeFile(OUT, JSON.stringify({ date: new Date().toISOString(), host, results }, null, 2) + "\n");
  console.log(`\nwrote ${OUT}`);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
