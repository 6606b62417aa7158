// An experiment's parameters as flags of `run <experiment>`, generated from
// its zod schema through JSON Schema (the form GET /api/experiments
// publishes): parameter `pollBudget` is `--poll-budget`, and its help gives
// the parameter's description, the values it takes and its default. Here a
// flag's text only becomes a value of the parameter's JSON type; the schema
// checks the value when the run is planned, and its error names the flag.
import { z } from "zod";
import type { Experiment } from "../experiments/index.ts";
import type { Json } from "../json.ts";
import { integer, type Flag } from "./args.ts";

/** The part of JSON Schema the experiments' parameters use. */
interface Schema {
  type?: string;
  enum?: string[];
  minimum?: number;
  maximum?: number;
  maxItems?: number;
  items?: Schema;
  default?: Json;
  description?: string;
}

export interface ParamFlag {
  /** The parameter, as the API names it. */
  param: string;
  /** Its flag, without the dashes. */
  flag: string;
  spec: Flag;
  /** The flag's text as a value of the parameter's type; a UsageError naming the flag when it is not one. */
  parse(text: string): Json;
}

/** How a flag's text becomes one kind of value, and what the help says it takes. */
interface ValueForm {
  value: string;
  takes: string;
  parse(flag: string, text: string): Json;
}

const kebab = (name: string) => name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/** Every parameter of the experiment as a flag, in the schema's order. */
export function paramFlags(e: Experiment<unknown>): ParamFlag[] {
  const schema = z.toJSONSchema(e.params, { io: "input" }) as { properties?: Record<string, Schema> };
  return Object.entries(schema.properties ?? {}).map(([param, s]) => {
    const form = formOf(s);
    if (!form) throw new Error(`${e.name}: parameter ${param} has a type no flag can give: ${JSON.stringify(s)}`);
    const flag = kebab(param);
    return {
      param,
      flag,
      spec: { type: "string", value: form.value, description: `${s.description ?? param} [${form.takes}]`, default: s.default === undefined ? undefined : text(s.default) },
      parse: (t) => form.parse(flag, t),
    };
  });
}

/** A parameter's value as a flag's text: a list comma-separated. */
const text = (v: Json): string => (Array.isArray(v) ? v.join(",") : String(v));

function range(s: Schema): string {
  const max = s.maximum !== undefined && s.maximum < Number.MAX_SAFE_INTEGER ? s.maximum : undefined;
  if (s.minimum !== undefined && max !== undefined) return ` ${s.minimum}..${max}`;
  if (s.minimum !== undefined) return ` >= ${s.minimum}`;
  return max !== undefined ? ` <= ${max}` : "";
}

function formOf(s: Schema): ValueForm | undefined {
  if (s.type === "integer") return { value: "<n>", takes: `an integer${range(s)}`, parse: integer };
  if (s.type === "string" && s.enum) return { value: "<name>", takes: `one of ${s.enum.join(", ")}`, parse: (_f, t) => t };
  // A list of integers or of names; nothing nests.
  if (s.type === "array" && (s.items?.type === "integer" || s.items?.enum)) {
    const item = formOf(s.items)!;
    const most = s.maxItems !== undefined ? `, at most ${s.maxItems}` : "";
    return {
      value: `${item.value.slice(0, -1)},...>`,
      takes: `${s.items.enum ? `any of ${s.items.enum.join(", ")}` : `integers${range(s.items)}`}, comma-separated${most}`,
      parse: (flag, t) => t.split(",").map((part) => item.parse(flag, part.trim())),
    };
  }
  return undefined;
}

/** The experiment's parameters given by flags, as the API's `params` takes them. */
export function paramsFromFlags(flags: readonly ParamFlag[], values: Record<string, string | boolean | undefined>, given: ReadonlySet<string>): Record<string, Json> {
  const params: Record<string, Json> = {};
  for (const f of flags) if (given.has(f.flag)) params[f.param] = f.parse(String(values[f.flag]));
  return params;
}

/** The flag that set a parameter, for an error at `field` (e.g. "cores[1]"); undefined when it came from --params. */
export function flagOf(flags: readonly ParamFlag[], field: string, given: ReadonlySet<string>): string | undefined {
  const param = field.split(/[.[]/)[0];
  const f = flags.find((x) => x.param === param);
  return f && given.has(f.flag) ? f.flag : undefined;
}
