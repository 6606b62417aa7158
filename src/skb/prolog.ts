// The Prolog engine behind the SKB: tau-prolog 0.3.4 (pure JavaScript, so it
// runs in workerd and in Node). A machine's rules and facts go once into one
// frozen module; every query runs in a fresh session over it that allows
// only reading builtins (sandbox.ts), metered in term cells and wall time
// (meter.ts) and bounded in steps, answers and the bytes of its answers. A
// long query runs in slices and yields between them, so other requests, and
// other queries, go on.
import "./tau-globals.ts";
import pl from "tau-prolog";
import type { AnswerCallbacks, Module, Num, Rule, Session, Substitution, Term, Thread, Value } from "tau-prolog";
import { ByteBudget, MAX_ANSWER_DEPTH, TooLarge, termText, toAnswerTerm, type Answer, type AnswerTerm } from "./answers.ts";
import { SkbFieldError, SkbLimitError, SkbQueryError, SkbSyntaxError, type Limit } from "./errors.ts";
import { explain } from "./explain.ts";
import type { Compound, Fact, PlTerm } from "./facts.ts";
import { Meter, Spent } from "./meter.ts";
import { checkNesting, secondClause, withinText } from "./query-text.ts";
import { Output, querySession, userModule } from "./sandbox.ts";

export interface Limits {
  /** Resolution steps the query may take in all. */
  maxSteps: number;
  /** Wall time in ms from the query's start, read before every step and every few thousand cells within one. */
  maxMs: number;
  /** Stop after this many answers. */
  maxAnswers: number;
  /** Term cells the query may build (meter.ts): bounds its memory. */
  maxCells: number;
  /** Bytes of JSON its answers may take in all. */
  maxAnswerBytes: number;
}

/**
 * maxCells: a cell costs tau-prolog about 180 bytes while it lives (measured:
 * a million cells of one growing term peak at +184 MB of heap), so 1M bounds
 * a query to some 200 MB. Queries users send take far fewer: every rtt/3
 * pair of amd-8x4 35k, a radix tree over 1024 cores 0.55M (bench skb).
 */
export const DEFAULT_LIMITS: Readonly<Limits> = { maxSteps: 100_000, maxMs: 1_000, maxAnswers: 100, maxCells: 1_000_000, maxAnswerBytes: 1 << 20 };

const LIMIT_FIELD: Record<Exclude<Limit, "depth">, keyof Limits> = {
  steps: "maxSteps",
  time: "maxMs",
  cells: "maxCells",
  answerBytes: "maxAnswerBytes",
};

/** A query runs in slices of this much time or work; between them it yields to the event loop. */
const SLICE = { ms: 10, cells: 1 << 20 };
/** Text a query may print with write/1 and friends. */
const OUTPUT_LIMIT = 64 * 1024;
/** Bytes an uncaught exception may take to be explained. */
const ERROR_BYTES = 64 * 1024;

/** Parsing is slow in tau-prolog (~20 ms for the SKB's rules), so a program is parsed once per process. */
const parsedPrograms = new Map<string, Rule[]>();

const IGNORE: AnswerCallbacks = { success() {}, fail() {}, error() {}, limit() {} };

export interface QueryResult {
  /** One record per answer: variable name -> its value as JSON (answers.ts). */
  answers: Answer[];
  /** True when the query stopped at maxAnswers with alternatives left to try. */
  truncated: boolean;
  /** Whatever the query printed (write/1, nl/0, ...), up to 64 KiB. */
  output: string;
  /** True when the query printed more than `output` holds. */
  outputTruncated: boolean;
}

type Outcome =
  | { kind: "answer"; answer: Substitution }
  | { kind: "fail" }
  | { kind: "slice" }
  | { kind: "spent"; limit: Limit }
  | { kind: "error"; error: Term };

interface Driven<T> {
  answers: T[];
  truncated: boolean;
  stopped?: { limit: Limit; max: number | undefined };
}

function checkLimits(limits: Partial<Limits>): Limits {
  const out = { ...DEFAULT_LIMITS, ...limits };
  for (const field of Object.keys(DEFAULT_LIMITS) as (keyof Limits)[]) {
    const v = out[field];
    if (!Number.isInteger(v) || v < 1) throw new SkbFieldError(field, `must be an integer >= 1, got ${v}`);
  }
  return out;
}

export class PrologEngine {
  private readonly user: Module;
  private readonly nums = new Map<number, Num>();
  private readonly compounds = new WeakMap<Compound, Value>();
  /** The predicates an unknown-predicate error lists. */
  private readonly known: readonly string[];

  /**
   * The lists library, `program` (clauses only: directives would run once,
   * at parse time) and `facts`, added clause by clause (much faster than
   * consulting their text). `known` defaults to every predicate they define.
   * Throws SkbSyntaxError if the program does not parse.
   */
  constructor(program: string, facts: readonly Fact[] = [], known?: readonly string[]) {
    this.user = userModule((session) => {
      consult(session, ":- use_module(library(lists)).");
      for (const rule of clauses(program)) session.add_rule(rule, { context_module: "user" });
      for (const f of facts) session.add_rule(new pl.type.Rule(new pl.type.Term(f.name, f.args.map((a) => this.term(a))), null), { context_module: "user" });
    });
    this.known = known ?? Object.keys(this.user.rules).sort();
  }

  /** Runs a query given as text (one goal, the final '.' optional) in a fresh session. */
  async query(text: string, limits: Partial<Limits> = {}): Promise<QueryResult> {
    const bounded = checkLimits(limits);
    checkNesting(text);
    const output = new Output(OUTPUT_LIMIT);
    const thread = querySession(this.user, output).thread;
    let goals = 0;
    let failure: Term | undefined;
    try {
      thread.query(/\.\s*$/.test(text) ? text : `${text}\n.`, { success: () => goals++, error: (e) => (failure ??= e) });
    } catch (e) {
      // Brackets are checked above; this is the parser's stack on other deep nesting.
      if (isStackOverflow(e)) throw new SkbSyntaxError("the query nests too deeply to parse", { line: 1, column: 1 });
      throw e;
    }
    if (failure) throw withinText(this.error(failure, thread.session, true), text);
    if (goals === 0) throw new SkbSyntaxError("empty query", { line: 1, column: 1 });
    if (goals > 1) throw new SkbSyntaxError("one goal per query", secondClause(text));
    const budget = new ByteBudget(bounded.maxAnswerBytes);
    const { answers, truncated, stopped } = await this.drive(thread, bounded, (a) => answer(a, budget));
    if (stopped) throw new SkbLimitError(stopped.limit, stopped.max, answers);
    return { answers, truncated, output: output.text, outputTruncated: output.truncated };
  }

  /**
   * Solves `functor(args..., X)` built from data (nothing is parsed) and
   * returns X in the first solution, or undefined if there is none.
   */
  async solveFor(functor: string, args: readonly PlTerm[], limits: Limits): Promise<AnswerTerm | undefined> {
    const thread = querySession(this.user, new Output(0)).thread;
    const out = new pl.type.Var("Out");
    thread.add_goal(new pl.type.Term(functor, [...args.map((a) => this.term(a)), out]));
    const budget = new ByteBudget(limits.maxAnswerBytes);
    const { answers, stopped } = await this.drive(thread, { ...limits, maxAnswers: 1 }, (a) => toAnswerTerm(a.links.Out, budget));
    if (stopped) throw new SkbLimitError(stopped.limit, stopped.max);
    return answers[0];
  }

  /** Collects answers, a slice at a time, until done or out of a budget. */
  private async drive<T>(thread: Thread, limits: Limits, take: (a: Substitution) => T): Promise<Driven<T>> {
    const meter = new Meter(limits.maxCells, Date.now() + limits.maxMs, SLICE);
    const answers: T[] = [];
    const stop = (limit: Limit, max = limit === "depth" ? undefined : limits[LIMIT_FIELD[limit]]): Driven<T> => ({
      answers,
      truncated: true,
      stopped: { limit, max },
    });
    for (;;) {
      const left = limits.maxSteps - thread.total_steps;
      if (left <= 0) return stop("steps");
      thread.setMaxInferences(left);
      const outcome = meter.run(() => run(thread));
      if (outcome.kind === "fail") return { answers, truncated: false };
      if (outcome.kind === "error") throw this.error(outcome.error, thread.session, false);
      if (outcome.kind === "spent") return stop(outcome.limit);
      if (outcome.kind === "answer") {
        try {
          answers.push(take(outcome.answer));
        } catch (e) {
          if (e instanceof TooLarge) return e.limit === "depth" ? stop("depth", MAX_ANSWER_DEPTH) : stop("answerBytes");
          throw e;
        }
        if (answers.length >= limits.maxAnswers) return { answers, truncated: thread.points.length > 0 };
      }
      if (meter.sliceOver()) {
        await new Promise((resolve) => setTimeout(resolve, 0));
        meter.newSlice();
      }
    }
  }

  /** tau-prolog's error term as one of the SKB's errors; a syntax error is the query's own only while it is parsed. */
  private error(e: Term, session: Session, parsing: boolean): Error {
    const ball = e.indicator === "throw/1" ? e.args[0] : e;
    if (parsing) {
      const syntax = syntaxError(ball);
      if (syntax) return syntax;
    }
    try {
      const json = toAnswerTerm(ball, new ByteBudget(ERROR_BYTES));
      return new SkbQueryError(explain(json, this.known), ball.toString({ quoted: true, session }));
    } catch (err) {
      if (!(err instanceof TooLarge)) throw err;
      return new SkbQueryError(`uncaught exception: a term of more than ${ERROR_BYTES} bytes`, "");
    }
  }

  private term(t: PlTerm): Value {
    if (typeof t === "number") {
      // Equal numbers share one object: rows of 1M entries stay small.
      let n = this.nums.get(t);
      if (!n) this.nums.set(t, (n = new pl.type.Num(t, !Number.isInteger(t))));
      return n;
    }
    if (typeof t === "string") return new pl.type.Term(t, []);
    if (isList(t)) {
      let list: Value = new pl.type.Term("[]", []);
      for (let i = t.length - 1; i >= 0; i--) list = new pl.type.Term(".", [this.term(t[i]), list]);
      return list;
    }
    // A compound used by many facts (a package's row) becomes one term.
    let c = this.compounds.get(t);
    if (!c) this.compounds.set(t, (c = new pl.type.Term(t.functor, t.args.map((a) => this.term(a)))));
    return c;
  }
}

function isList(t: PlTerm): t is readonly PlTerm[] {
  return Array.isArray(t);
}

/** An answer's bindings as JSON; variables left unbound or named _... are left out. */
function answer(s: Substitution, budget: ByteBudget): Answer {
  const out: Answer = {};
  for (const [name, value] of Object.entries(s.links)) {
    if (name.startsWith("_") || pl.type.is_variable(value)) continue;
    budget.spend(name.length + 4);
    out[name] = toAnswerTerm(value, budget);
  }
  return out;
}

/** The engine's own recursion (tau-prolog's parser and term walkers) ran out of stack. */
function isStackOverflow(e: unknown): boolean {
  return e instanceof RangeError && /call stack/i.test(e.message);
}

/**
 * Runs a thread to its next answer, failure or error, or to the end of its
 * slice or step budget, or until its meter stops it. tau-prolog settles the
 * outcome synchronously and only reports it from a timer, so it is read
 * through the thread's format hooks instead of waiting a timer tick per answer.
 */
function run(thread: Thread): Outcome {
  let outcome: Outcome | undefined;
  thread.format_success = (state) => (outcome = { kind: "answer", answer: state.substitution }).answer;
  thread.format_error = (state) => (outcome = { kind: "error", error: state.goal! }).error;
  try {
    thread.answer(IGNORE);
  } catch (e) {
    if (e instanceof Spent) return { kind: "spent", limit: e.limit };
    if (isStackOverflow(e)) return { kind: "spent", limit: "depth" };
    const message = e instanceof Error ? e.message : String(e);
    throw new SkbQueryError(`the Prolog engine failed: ${message}`, termText({ functor: "error", args: [{ functor: "system_error", args: [message] }, { functor: "/", args: ["top_level", 0] }] }));
  }
  return outcome ?? (thread.points.length === 0 ? { kind: "fail" } : { kind: "slice" });
}

/** Consults text into a session; it must complete synchronously. */
function consult(session: Session, text: string): void {
  let done = false;
  let failure: Term | undefined;
  session.consult(text, {
    text: true,
    file: false,
    url: false,
    html: false,
    script: false,
    success: () => (done = true),
    error: (e) => (failure ??= e),
  });
  if (failure) throw syntaxError(failure) ?? new SkbQueryError(`the program did not load: ${failure.toString({ quoted: true })}`, failure.toString({ quoted: true }));
  if (!done) throw new Error("tau-prolog did not consult the program synchronously");
}

/** The clauses of a program, parsed in a scratch session the first time. */
function clauses(program: string): Rule[] {
  let rules = parsedPrograms.get(program);
  if (!rules) {
    const scratch = pl.create();
    consult(scratch, program);
    rules = Object.values(scratch.rules).flat() as Rule[];
    parsedPrograms.set(program, rules);
  }
  return rules;
}

/** error(syntax_error(Reason), [line(L), column(C), ...]) as an SkbSyntaxError; undefined for any other term. */
function syntaxError(e: Value): SkbSyntaxError | undefined {
  if (!("args" in e) || e.indicator !== "error/2") return undefined;
  const [kind, info] = e.args;
  if (!("args" in kind) || kind.indicator !== "syntax_error/1") return undefined;
  const at: Record<string, number> = {};
  for (let p: Value = info; "args" in p && p.indicator === "./2"; p = p.args[1]) {
    const item = p.args[0];
    if ("args" in item && item.args.length === 1 && "value" in item.args[0]) at[item.id] = item.args[0].value;
  }
  // tau counts lines from 1 and columns from 0.
  return new SkbSyntaxError(kind.args[0].toString(), { line: at.line ?? 1, column: (at.column ?? 0) + 1 });
}
