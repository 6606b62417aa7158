// Strict flag parsing for the CLI: every flag must be declared, every value
// is checked, and a bad one is a UsageError naming the flag and the reason,
// in one wording everywhere: what the value must be, and what it was.

export class UsageError extends Error {
  override name = "UsageError";
}

export interface Flag {
  type: "string" | "boolean";
  description: string;
  /** The value in the help, e.g. "<file>"; "<value>" when absent. */
  value?: string;
  /** Filled in when the flag is absent, and shown in the help. */
  default?: string;
  /** The value is a file the command writes: checked before the command runs. */
  output?: boolean;
}

export type FlagSpec = Record<string, Flag>;

export interface ParsedArgs {
  /** Every flag given, and the defaults of those not given. */
  flags: Record<string, string | boolean | undefined>;
  /** The flags given on the command line. */
  given: ReadonlySet<string>;
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
    if (!s) throw new UsageError(`unknown flag --${name}${didYouMean(name, spec)}`);
    if (flags[name] !== undefined) throw new UsageError(`--${name} is given twice`);
    if (s.type === "boolean") {
      if (eq >= 0) throw new UsageError(`--${name} takes no value`);
      flags[name] = true;
    } else {
      const value = eq >= 0 ? arg.slice(eq + 1) : argv[++i];
      if (value === undefined || (eq < 0 && value.startsWith("--"))) throw new UsageError(`--${name} needs a value`);
      flags[name] = value;
    }
  }
  const given = new Set(Object.keys(flags));
  for (const [name, s] of Object.entries(spec)) if (flags[name] === undefined && s.default !== undefined) flags[name] = s.default;
  return { flags, given, positionals };
}

/** A flag of the spec the unknown one was likely meant to be: a plural for its singular, or the reverse (--protocol, --protocols). */
export function didYouMean(name: string, spec: FlagSpec): string {
  const near = Object.keys(spec).find((k) => k.startsWith(name) || name.startsWith(k));
  return near ? `; did you mean --${near}?` : "";
}

/** An integer flag value within min..max. */
export function intFlag(name: string, value: string | boolean | undefined, min = 0, max = Number.MAX_SAFE_INTEGER): number | undefined {
  if (value === undefined) return undefined;
  const n = integer(name, String(value));
  if (n < min) throw new UsageError(`--${name}: must be at least ${min}, got ${n}`);
  if (n > max) throw new UsageError(`--${name}: must be at most ${max}, got ${n}`);
  return n;
}

/** An integer, or a UsageError naming the flag. */
export function integer(name: string, text: string): number {
  if (!/^-?\d+$/.test(text.trim()) || !Number.isSafeInteger(Number(text))) throw new UsageError(`--${name}: must be an integer, got "${text}"`);
  return Number(text);
}

/** The help lines of some flags: name, value, description and default, aligned. */
export function usage(spec: FlagSpec): string {
  const left = Object.entries(spec).map(([name, s]) => `  --${name}${s.type === "string" ? ` ${s.value ?? "<value>"}` : ""}`);
  const width = Math.max(...left.map((l) => l.length)) + 2;
  return Object.values(spec)
    .map((s, i) => left[i].padEnd(width) + s.description + (s.default !== undefined ? ` (default ${s.default})` : ""))
    .join("\n");
}
