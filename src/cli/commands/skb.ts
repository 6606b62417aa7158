import type { Machine } from "../../hwmodel/index.ts";
import {
  DEFAULT_LIMITS,
  DEFAULT_RADIX_FANOUT,
  DERIVED_PREDICATES,
  ROUTE_KINDS,
  SkbError,
  SkbFieldError,
  SystemKnowledgeBase,
  machineFacts,
  termText,
  treeToDot,
  type Limits,
  type RoutingTree,
} from "../../skb/index.ts";
import { intFlag, UsageError, type ParsedArgs } from "../args.ts";
import type { Choice, Command, Output } from "../command.ts";
import { DEFAULT_MACHINE, machineFlags, machineFromFlags } from "../machine-flags.ts";
import { table } from "../table.ts";

const SUBCOMMANDS: readonly Choice[] = [
  {
    name: "route",
    summary: "the routing tree a protocol sends along, from one core or from every core",
    flags: {
      kind: { type: "string", value: "<kind>", description: `the tree: ${ROUTE_KINDS.join(", ")}`, default: "numa-multicast" },
      root: { type: "string", value: "<core>", description: "the core the tree starts from, or all for one tree from every core", default: "0" },
      fanout: { type: "string", value: "<n>", description: "the fan-out of a radix tree (radix only)", default: String(DEFAULT_RADIX_FANOUT) },
      cores: { type: "string", value: "<n>", description: "span cores 0..n-1 only, as a run booting n cores does; all the machine's by default" },
      dot: { type: "boolean", description: "print Graphviz (dot -Tsvg) instead of a table: one digraph per tree" },
    },
  },
  {
    name: "query",
    summary: "answer a Prolog goal over the machine's facts and the SKB's rules",
    args: "<goal>",
    flags: {
      "max-steps": { type: "string", value: "<n>", description: "resolution steps allowed", default: String(DEFAULT_LIMITS.maxSteps) },
      "max-ms": { type: "string", value: "<ms>", description: "wall time allowed, in milliseconds", default: String(DEFAULT_LIMITS.maxMs) },
      "max-answers": { type: "string", value: "<n>", description: "answers to print at most", default: String(DEFAULT_LIMITS.maxAnswers) },
    },
  },
  { name: "facts", summary: "the facts the machine's SKB holds, as Prolog, and the predicates its rules derive", flags: {} },
];

/** The SKB's field names as the flags that set them. */
const FLAG_OF_FIELD: Record<string, string> = { maxSteps: "max-steps", maxMs: "max-ms", maxAnswers: "max-answers" };

export const skb: Command = {
  name: "skb",
  args: "<sub-command>",
  summary: "the System Knowledge Base: routing trees, Prolog queries over a machine's facts, the facts themselves",
  flags: machineFlags(DEFAULT_MACHINE),
  choices: { of: "sub-command", flagsAre: "flags", list: SUBCOMMANDS },
  async run(args, choice) {
    const machine = machineFromFlags(args);
    try {
      if (choice!.name === "facts") return facts(machine);
      const kb = await SystemKnowledgeBase.for(machine);
      return choice!.name === "route" ? await route(kb, args) : await query(kb, args);
    } catch (e) {
      if (e instanceof SkbFieldError) throw new UsageError(`--${FLAG_OF_FIELD[e.field] ?? e.field}: ${e.reason}`);
      if (e instanceof SkbError) throw new UsageError(e.message);
      throw e;
    }
  },
};

async function route(kb: SystemKnowledgeBase, args: ParsedArgs): Promise<Output> {
  const { flags, given } = args;
  if (flags.dot && flags.json) throw new UsageError("give --dot or --json, not both");
  const opts = { fanout: given.has("fanout") ? intFlag("fanout", flags.fanout) : undefined, cores: intFlag("cores", flags.cores) };
  const kind = String(flags.kind);
  const all = flags.root === "all";
  if (!all && !/^\d+$/.test(String(flags.root))) throw new UsageError(`--root: must be a core number or all, got "${flags.root}"`);
  const roots = all ? Array.from({ length: opts.cores ?? kb.machine.numCores }, (_, i) => i) : [Number(flags.root)];
  const trees: RoutingTree[] = [];
  for (const root of roots) trees.push(await kb.route(kind, root, opts));
  const json = all ? { trees } : trees[0];
  if (flags.dot) return { text: trees.map((t) => treeToDot(t, kb.machine)).join(""), json };
  const text = trees
    .map((tree) =>
      [
        `${tree.kind}${tree.fanout ? ` (fan-out ${tree.fanout})` : ""} tree on ${tree.machine} from core ${tree.root}: ${tree.edges.length} edges`,
        table(
          ["from", "to", "order", "rtt (cycles)", "buffer at", "channel"],
          tree.edges.map((e) => [e.from, e.to, e.order, e.cost, e.bufferAt, e.shared ? "shared" : "private"]),
        ),
      ].join("\n"),
    )
    .join("\n\n");
  return { text, json };
}

async function query(kb: SystemKnowledgeBase, args: ParsedArgs): Promise<Output> {
  const goals = args.positionals;
  if (goals.length !== 1) throw new UsageError(goals.length ? "give the goal as one argument (quote it)" : 'a goal is required, e.g. skb query "rtt(0, B, C)"');
  const { flags } = args;
  const limits: Partial<Limits> = {
    maxSteps: intFlag("max-steps", flags["max-steps"], 1),
    maxMs: intFlag("max-ms", flags["max-ms"], 1),
    maxAnswers: intFlag("max-answers", flags["max-answers"], 1),
  };
  const result = await kb.query(goals[0], limits);
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
