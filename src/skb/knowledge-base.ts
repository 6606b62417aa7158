// The System Knowledge Base of one machine: its facts and rules in a Prolog
// engine, open to queries, and the routing trees its rules compute.
import type { Machine } from "../hwmodel/index.ts";
import { machineFacts, type Fact, type RttOverride } from "./facts.ts";
import { PrologEngine, type Limits, type QueryResult } from "./prolog.ts";
import { DERIVED_PREDICATES, RULES } from "./rules.ts";
import { checkRoute, edgesFrom, kindTerm, type RouteOptions, type RoutingTree } from "./trees.ts";

export interface SkbOptions {
  /** Round trips measured by a run, in place of the cost model's. */
  rtt?: RttOverride;
}

/** Budget of a route query: generous, since the rules terminate; it only guards against a bug. */
const routeLimits = (cores: number): Limits => ({
  maxSteps: 100_000 + 200 * cores,
  maxMs: 60_000,
  maxAnswers: 1,
  maxCells: 1_000_000 + 2_000 * cores,
  maxAnswerBytes: 65_536 + 1024 * cores,
});

/** What a query can ask about: the facts' predicates and the rules' documented ones (not their helpers). */
function knownPredicates(facts: readonly Fact[]): string[] {
  const derived = DERIVED_PREDICATES.map((d) => {
    const [, name, args] = /^(\w+)\(([^)]*)\)/.exec(d)!;
    return `${name}/${args.split(",").length}`;
  });
  return [...new Set([...facts.map((f) => `${f.name}/${f.args.length}`), ...derived])].sort();
}

export class SystemKnowledgeBase {
  private constructor(
    readonly machine: Machine,
    private readonly engine: PrologEngine,
  ) {}

  static async for(machine: Machine, opts: SkbOptions = {}): Promise<SystemKnowledgeBase> {
    const facts = machineFacts(machine, opts.rtt);
    return new SystemKnowledgeBase(machine, new PrologEngine(RULES, facts, knownPredicates(facts)));
  }

  /**
   * Answers a Prolog query, e.g. `rtt(0, B, C), C > 1000`, in a fresh state
   * that sees only the machine's facts and rules and may only read them
   * (sandbox.ts). Throws SkbSyntaxError (with its position), SkbLimitError
   * (a budget of Limits spent), SkbQueryError (an uncaught exception, said
   * for a person, with the ISO term) or SkbFieldError (a bad limit).
   */
  query(text: string, limits: Partial<Limits> = {}): Promise<QueryResult> {
    return this.engine.query(text, limits);
  }

  /** The routing tree `kind` from `root`; bad arguments throw SkbFieldError naming the field. */
  async route(kind: string, root: number, opts: RouteOptions = {}): Promise<RoutingTree> {
    const r = checkRoute(this.machine, kind, root, opts);
    const result = await this.engine.solveFor("route", [kindTerm(r), r.root, r.cores], routeLimits(r.cores));
    return {
      machine: this.machine.name,
      kind: r.kind,
      root: r.root,
      ...(r.fanout === undefined ? {} : { fanout: r.fanout }),
      edges: edgesFrom(result),
    };
  }
}
