// Strict flag parsing for the CLI: every flag must be declared, every value
// is checked, and a bad one is an UsageError naming the flag and the reason.

export class UsageError extends Error {
  override name = "UsageError";
}

export type FlagSpec = Record<string, { type: "string" | "boolean"; description: string; default?: string }>;

export interface ParsedArgs {
  flags: Record<string, string | boolean | undefined>;
  positionals: string[];
}

export function parseArgs(argv: string[], spec: FlagSpec): ParsedArgs {
  const flags: ParsedArgs["flags"] = {};
  const positionals: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith("--")) {
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf("=");
    const name = arg.slice(2, eq < 0 ? undefined : eq);
    const s = Object.hasOwn(spec, name) ? spec[name] : undefined;
    if (!s) throw new UsageError(`unknown flag --${name}`);
    if (s.type === "boolean") {
      if (eq >= 0) throw new UsageError(`--${name} takes no value`);
      flags[name] = true;
    } else {
      const value = eq >= 0 ? arg.slice(eq + 1) : argv[++i];
      if (value === undefined || (eq < 0 && value.startsWith("--"))) throw new UsageError(`--${name} needs a value`);
      flags[name] = value;
    }
  }
  for (const [name, s] of Object.entries(spec)) if (flags[name] === undefined && s.default !== undefined) flags[name] = s.default;
  return { flags, positionals };
}

/** A non-negative integer flag value. */
export function intFlag(name: string, value: string | boolean | undefined, min = 0, max = Number.MAX_SAFE_INTEGER): number | undefined {
  if (value === undefined) return undefined;
  const s = String(value);
  if (!/^\d+$/.test(s)) throw new UsageError(`--${name}: "${s}" is not a non-negative integer`);
  const n = Number(s);
  if (n < min || n > max) throw new UsageError(`--${name}: ${n} is out of range ${min}..${max}`);
  return n;
}

/** A comma-separated list of integers, e.g. --cores 2,4,8. */
export function intListFlag(name: string, value: string | boolean | undefined, min = 0, max = Number.MAX_SAFE_INTEGER): number[] | undefined {
  if (value === undefined) return undefined;
  const parts = String(value).split(",");
  return parts.map((p, i) => {
    if (!/^\d+$/.test(p.trim())) throw new UsageError(`--${name}: item ${i + 1} ("${p}") is not a non-negative integer`);
    const n = Number(p.trim());
    if (n < min || n > max) throw new UsageError(`--${name}: ${n} is out of range ${min}..${max}`);
    return n;
  });
}

export function usage(spec: FlagSpec): string {
  return Object.entries(spec)
    .map(([name, s]) => `  --${name}${s.type === "string" ? " <value>" : ""}`.padEnd(28) + s.description + (s.default ? ` (default ${s.default})` : ""))
    .join("\n");
}
