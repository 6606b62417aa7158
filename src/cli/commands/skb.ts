import type { Machine } from "../../hwmodel/index.ts";
import {
  DERIVED_PREDICATES,
  ROUTE_KINDS,
  SkbError,
  SkbFieldError,
  SystemKnowledgeBase,
  machineFacts,
  termText,
  treeToDot,
  type Limits,
} from "../../skb/index.ts";
import { intFlag, UsageError, type FlagSpec, type ParsedArgs } from "../args.ts";
import type { Command, Output } from "../command.ts";
import { MACHINE_FLAGS, machineFromFlags } from "../machine-flags.ts";
import { table } from "../table.ts";

const SUBCOMMANDS = ["route", "query", "facts"] as const;

/** Which sub-command takes which of the SKB's own flags. */
const FLAGS_OF: Record<(typeof SUBCOMMANDS)[number], string[]> = {
  route: ["kind", "root", "fanout", "cores", "dot"],
  query: ["max-steps", "max-ms", "max-answers"],
  facts: [],
};

const FLAGS: FlagSpec = {
  ...MACHINE_FLAGS,
  kind: { type: "string", description: `route: ${ROUTE_KINDS.join(", ")} (default numa-multicast)` },
  root: { type: "string", description: "route: the core the tree starts from (default 0)" },
  fanout: { type: "string", description: "route: fan-out of a radix tree (default 2)" },
  cores: { type: "string", description: "route: span cores 0..n-1 only (default all)" },
  dot: { type: "boolean", description: "route: print Graphviz" },
  "max-steps": { type: "string", description: "query: resolution steps allowed (default 100000)" },
  "max-ms": { type: "string", description: "query: wall time allowed in ms (default 1000)" },
  "max-answers": { type: "string", description: "query: answers to print at most (default 100)" },
};

/** The SKB's field names as the flags that set them. */
const FLAG_OF_FIELD: Record<string, string> = {
  kind: "kind",
  root: "root",
  fanout: "fanout",
  cores: "cores",
  maxSteps: "max-steps",
  maxMs: "max-ms",
  maxAnswers: "max-answers",
};

export const skb: Command = {
  name: "skb",
  args: "route | query <goal> | facts",
  summary: "the System Knowledge Base: routing trees, Prolog queries over a machine's facts, the facts themselves",
  flags: FLAGS,
  async run(args) {
    const [sub, ...rest] = args.positionals;
    if (!SUBCOMMANDS.includes(sub as (typeof SUBCOMMANDS)[number])) {
      throw new UsageError(sub ? `unknown sub-command "${sub}"; one of ${SUBCOMMANDS.join(", ")}` : `a sub-command is required: ${SUBCOMMANDS.join(", ")}`);
    }
    const which = sub as (typeof SUBCOMMANDS)[number];
    for (const [s, names] of Object.entries(FLAGS_OF)) {
      if (s === which) continue;
      for (const name of names) if (args.flags[name] !== undefined) throw new UsageError(`--${name} applies to skb ${s}, not skb ${which}`);
    }
    if (which !== "query" && rest.length) throw new UsageError(`skb ${which} takes no argument, got "${rest[0]}"`);
    const machine = machineFromFlags(args);
    try {
      if (which === "facts") return facts(machine);
      const kb = await SystemKnowledgeBase.for(machine);
      return which === "route" ? await route(kb, args) : await query(kb, args, rest);
    } catch (e) {
      if (e instanceof SkbFieldError) throw new UsageError(`--${FLAG_OF_FIELD[e.field] ?? e.field}: ${e.reason}`);
      if (e instanceof SkbError) throw new UsageError(e.message);
      throw e;
    }
  },
};

async function route(kb: SystemKnowledgeBase, args: ParsedArgs): Promise<Output> {
  const { flags } = args;
  if (flags.dot && flags.json) throw new UsageError("give --dot or --json, not both");
  const tree = await kb.route(String(flags.kind ?? "numa-multicast"), intFlag("root", flags.root) ?? 0, {
    fanout: intFlag("fanout", flags.fanout),
    cores: intFlag("cores", flags.cores),
  });
  if (flags.dot) return { text: treeToDot(tree, kb.machine), json: tree };
  const text = [
    `${tree.kind}${tree.fanout ? ` (fan-out ${tree.fanout})` : ""} tree on ${tree.machine} from core ${tree.root}: ${tree.edges.length} edges`,
    table(
      ["from", "to", "order", "rtt", "buffer at", "channel"],
      tree.edges.map((e) => [e.from, e.to, e.order, e.cost, e.bufferAt, e.shared ? "shared" : "private"]),
    ),
  ].join("\n");
  return { text, json: tree };
}

async function query(kb: SystemKnowledgeBase, args: ParsedArgs, rest: string[]): Promise<Output> {
  if (rest.length !== 1) throw new UsageError(rest.length ? "give the query as one argument (quote it)" : 'a query is required, e.g. skb query "rtt(0, B, C)"');
  const { flags } = args;
  const limits: Partial<Limits> = {};
  const steps = intFlag("max-steps", flags["max-steps"], 1);
  const ms = intFlag("max-ms", flags["max-ms"], 1);
  const answers = intFlag("max-answers", flags["max-answers"], 1);
  if (steps !== undefined) limits.maxSteps = steps;
  if (ms !== undefined) limits.maxMs = ms;
  if (answers !== undefined) limits.maxAnswers = answers;
  const result = await kb.query(rest[0], limits);
  const lines = result.answers.map((a) => Object.entries(a).map(([k, v]) => `${k} = ${termText(v)}`).join(", ") || "true");
  if (!lines.length) lines.push("false");
  if (result.truncated) lines.push(`... (more answers may follow: raise --max-answers)`);
  const output = result.outputTruncated ? `${result.output}\n... (output cut at ${result.output.length} characters)\n` : result.output;
  return { text: output + lines.join("\n"), json: result };
}

function facts(machine: Machine): Output {
  const list = machineFacts(machine);
  return {
    text: [
      ...list.map((f) => `${f.name}(${f.args.map(termText).join(", ")}).`),
      "",
      "% and derived by the rules:",
      ...DERIVED_PREDICATES.map((p) => `%   ${p}`),
    ].join("\n"),
    json: { facts: list },
  };
}
