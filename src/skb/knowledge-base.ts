// The System Knowledge Base of one machine: its facts and rules in a Prolog
// engine, open to queries, and the routing trees its rules compute.
import type { Machine } from "../hwmodel/index.ts";
import { machineFacts, type RttOverride } from "./facts.ts";
import { PrologEngine, type Limits, type QueryResult } from "./prolog.ts";
import { RULES } from "./rules.ts";
import { checkRoute, edgesFrom, kindTerm, type RouteOptions, type RoutingTree } from "./trees.ts";

export interface SkbOptions {
  /** Round trips measured by a run, in place of the cost model's. */
  rtt?: RttOverride;
}

/** Budget of a route query: generous, since the rules terminate; it only guards against a bug. */
const routeLimits = (cores: number): Limits => ({ maxSteps: 100_000 + 200 * cores, maxMs: 60_000, maxAnswers: 1 });

export class SystemKnowledgeBase {
  private constructor(
    readonly machine: Machine,
    private readonly engine: PrologEngine,
  ) {}

  static async for(machine: Machine, opts: SkbOptions = {}): Promise<SystemKnowledgeBase> {
    const engine = new PrologEngine(RULES);
    engine.addFacts(machineFacts(machine, opts.rtt));
    return new SystemKnowledgeBase(machine, engine);
  }

  /**
   * Answers a Prolog query, e.g. `rtt(0, B, C), C > 1000`. Throws
   * SkbSyntaxError (with its position), SkbLimitError (maxSteps or maxMs
   * spent), SkbQueryError (an uncaught exception) or SkbFieldError (a bad
   * limit). The facts and rules are static, so no query can change them or
   * the routes; predicates a query asserts of its own stay in this base.
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
