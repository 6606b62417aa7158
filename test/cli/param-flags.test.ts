// Every parameter of every experiment has a flag of `run <experiment>`,
// generated from the experiment's schema: listed in its help with its
// default and allowed values, setting the parameter, and refusing a value
// the schema refuses with an error that names the flag. The expectations come
// from each experiment's JSON Schema, so a parameter added tomorrow is tested too.
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { COMMON, flagsOf, parseCommand } from "../../src/cli/cli.ts";
import { run } from "../../src/cli/commands/run.ts";
import { paramFlags, paramsFromFlags } from "../../src/cli/param-flags.ts";
import { EXPERIMENTS, parseParams } from "../../src/experiments/index.ts";
import type { Json } from "../../src/json.ts";
import { cli, usageError } from "./helpers.ts";

interface Schema {
  type?: string;
  enum?: string[];
  minimum?: number;
  maximum?: number;
  items?: Schema;
  default?: Json;
}

const propertiesOf = (name: string) => (z.toJSONSchema(EXPERIMENTS.byName(name)!.params, { io: "input" }) as { properties: Record<string, Schema> }).properties;
const asText = (v: Json): string => (Array.isArray(v) ? v.join(",") : String(v));
const bounded = (max?: number) => max !== undefined && max < Number.MAX_SAFE_INTEGER;

/** A valid value of the parameter other than its default. */
function otherValue(s: Schema): Json {
  if (s.type === "integer") return s.minimum !== s.default ? s.minimum! : s.minimum! + 1;
  if (s.type === "string") return s.enum!.find((v) => v !== s.default)!;
  return s.items!.enum ? [s.items!.enum.at(-1)!] : [s.items!.minimum!];
}

/** A value of the right type that the schema refuses, or undefined when the type allows none. */
function refusedValue(s: Schema): string | undefined {
  const int = s.type === "integer" ? s : s.items?.type === "integer" ? s.items : undefined;
  if (int) return bounded(int.maximum) ? String(int.maximum! + 1) : String(int.minimum! - 1);
  return "no-such-value";
}

describe.each(EXPERIMENTS.names)("run %s", (name) => {
  const properties = propertiesOf(name);

  it("has a flag per parameter, the parameter's name in kebab-case, and no flag of run's own", () => {
    const experiment = EXPERIMENTS.byName(name)!;
    const flags = paramFlags(experiment);
    expect(flags.map((f) => f.param)).toEqual(Object.keys(properties));
    for (const f of flags) expect(f.flag).toBe(f.param.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`));
    const choice = run.choices!.list.find((c) => c.name === name)!;
    const shared = Object.keys({ ...(run.flags as (c: typeof choice) => object)(choice), ...COMMON });
    expect(Object.keys(choice.flags).filter((f) => shared.includes(f))).toEqual([]);
    expect(Object.keys(flagsOf(run, choice))).toEqual(expect.arrayContaining(Object.keys(choice.flags)));
  });

  it("lists every parameter in --help with its default and the values it takes", async () => {
    const { status, out } = await cli("run", name, "--help");
    expect(status).toBe(0);
    for (const [param, s] of Object.entries(properties)) {
      const flag = param.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
      const line = out.split("\n").find((l) => l.startsWith(`  --${flag} `));
      expect(line, `--${flag} in run ${name} --help`).toBeDefined();
      expect(line).toContain(`(default ${asText(s.default!)})`);
      const inner = s.items ?? s;
      for (const v of inner.enum ?? []) expect(line).toContain(v);
      if (inner.minimum !== undefined) expect(line).toContain(String(inner.minimum));
      if (bounded(inner.maximum)) expect(line).toContain(String(inner.maximum));
    }
  });

  it.each(Object.keys(properties))("parameter %s: its flag sets it", async (param) => {
    const s = properties[param];
    const experiment = EXPERIMENTS.byName(name)!;
    const flag = param.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
    const value = otherValue(s);
    const { args } = parseCommand(run, [name, `--${flag}`, asText(value)]);
    const params = parseParams(experiment, paramsFromFlags(paramFlags(experiment), args.flags, args.given)) as Record<string, Json>;
    expect(params[param]).toEqual(value);
    // Every other parameter keeps its default.
    for (const [other, o] of Object.entries(properties)) if (other !== param) expect(params[other]).toEqual(o.default);
    // A value the schema refuses is an error naming the flag.
    expect(await usageError("run", name, `--${flag}`, refusedValue(s)!)).toMatch(new RegExp(`^--${flag}: `));
  });
});

describe("run, end to end", () => {
  it("takes unmap's --protocol (the issue's example) and runs", async () => {
    const { status, out } = await cli("run", "unmap", "--protocol", "broadcast", "--cores", "2,4", "--kernels", "barrelfish", "--reps", "2", "--json");
    expect(status).toBe(0);
    expect(JSON.parse(out).series.map((s: { name: string }) => s.name)).toEqual(["barrelfish"]);
  });

  it("takes a choice of names (unmap's --notification) and refuses others, naming the flag", async () => {
    const { status } = await cli("run", "unmap", "--notification", "ipi", "--poll-budget", "500", "--cores", "2", "--kernels", "barrelfish", "--reps", "1");
    expect(status).toBe(0);
    const bad = await cli("run", "unmap", "--notification", "smoke-signals", "--cores", "2");
    expect(bad.status).toBe(2);
    expect(bad.err).toMatch(/^error: --notification: must be none or ipi, got "smoke-signals"/);
  });
});
