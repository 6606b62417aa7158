// The Prolog engine behind the SKB: tau-prolog 0.3.4 (pure JavaScript, so it
// runs in workerd and in Node), sandboxed, with every query bounded by a step
// budget and a wall-time budget so that no query can hang its caller.
import "./tau-globals.ts";
import pl from "tau-prolog";
import loadLists from "tau-prolog/modules/lists.js";
import type { AnswerCallbacks, Builtin, Num, Rule, Session, Substitution, Term, Thread, Value, Var } from "tau-prolog";
import { SkbFieldError, SkbLimitError, SkbQueryError, SkbSyntaxError } from "./errors.ts";
import type { Compound, Fact, PlTerm } from "./facts.ts";

loadLists(pl);

/**
 * Builtins that build a term of any size in one step, out of the step
 * limit's reach: functor(T, f, 100000000) or replicate(x, 100000000, L) would
 * hang a request. Above MAX_TERM_SIZE they raise ISO's errors instead:
 * representation_error(max_arity) and resource_error(memory).
 */
export const MAX_TERM_SIZE = 65535;

function capSize(rules: Record<string, Builtin>, indicator: string, sizeArg: number, error: (indicator: string) => Term): void {
  const builtin = rules[indicator];
  rules[indicator] = (thread, point, atom) => {
    const n = atom.args[sizeArg] as Num;
    if (typeof n.value === "number" && !n.is_float && n.value > MAX_TERM_SIZE) return thread.throw_error(error(atom.indicator));
    builtin(thread, point, atom);
  };
}

const T = pl.type.Term;
capSize(pl.builtin.rules, "functor/3", 2, (indicator) => pl.error.representation("max_arity", indicator));
capSize(pl.modules.lists.rules, "replicate/3", 1, (indicator) => {
  const [name, arity] = indicator.split("/");
  return new T("error", [new T("resource_error", [new T("memory", [])]), new T("/", [new T(name, []), new pl.type.Num(Number(arity), false)])]);
});

export interface Limits {
  /** Resolution steps the query may take in all. */
  maxSteps: number;
  /** Wall time in ms, checked between stretches of steps. In workerd the clock only moves between events, so steps are the hard bound there. */
  maxMs: number;
  /** Stop after this many answers. */
  maxAnswers: number;
}

export const DEFAULT_LIMITS: Readonly<Limits> = { maxSteps: 100_000, maxMs: 1_000, maxAnswers: 100 };

/**
 * Queries run in stretches of steps, with the clock checked in between. A
 * step's cost varies a lot (tau-prolog backtracks into repeat/0 or between/3
 * in quadratic time), so each stretch is sized from the last to take about
 * STRETCH_MS.
 */
const FIRST_STRETCH = 500;
const STRETCH_MS = 10;
const MAX_STRETCH = 20_000;
/** Yield to the event loop this often; by steps too, since workerd's clock stands still while code runs. */
const YIELD_MS = 50;
const YIELD_STEPS = 50_000;
/** Text a query may print with write/1 and friends. */
const OUTPUT_LIMIT = 64 * 1024;

/** Host access a query must not have, made a plain error (the sandbox below closes the rest). */
const SANDBOX = String.raw`
consult(F) :- throw(error(permission_error(open, source_sink, F), consult/1)).
`;

/** Parsing is slow in tau-prolog (~20 ms for the SKB's rules), so a program is parsed once per process. */
const parsedPrograms = new Map<string, Rule[]>();

const IGNORE: AnswerCallbacks = { success() {}, fail() {}, error() {}, limit() {} };

export interface QueryResult {
  /** One record per answer: variable name -> its value as Prolog text. Variables left unbound or named _... are left out. */
  answers: Record<string, string>[];
  /** True when the query stopped at maxAnswers with alternatives left to try. */
  truncated: boolean;
  /** Whatever the query printed (write/1, nl/0, ...). */
  output: string;
}

type Outcome =
  | { kind: "answer"; answer: Substitution }
  | { kind: "fail" }
  | { kind: "limit" }
  | { kind: "error"; error: Term };

function checkLimits(limits: Partial<Limits>): Limits {
  const out = { ...DEFAULT_LIMITS, ...limits };
  for (const field of ["maxSteps", "maxMs", "maxAnswers"] as const) {
    const v = out[field];
    if (!Number.isInteger(v) || v < 1) throw new SkbFieldError(field, `must be an integer >= 1, got ${v}`);
  }
  return out;
}

export class PrologEngine {
  private readonly session: Session;
  private readonly nums = new Map<number, Num>();
  private readonly compounds = new WeakMap<Compound, Value>();
  private output = "";
  /** Queries share the session, so they run one at a time. */
  private tail: Promise<unknown> = Promise.resolve();

  /**
   * A session with the lists library and `program` (clauses only: directives
   * would run once, at parse time). Throws SkbSyntaxError if it does not parse.
   */
  constructor(program: string) {
    this.session = pl.create(FIRST_STRETCH);
    this.sandbox();
    consult(this.session, ":- use_module(library(lists)).");
    for (const rule of clauses(SANDBOX + program)) this.session.add_rule(rule, { context_module: "user" });
  }

  /** Adds facts clause by clause: much faster than consulting their text. */
  addFacts(facts: readonly Fact[]): void {
    for (const f of facts) {
      const head = new pl.type.Term(f.name, f.args.map((a) => this.term(a)));
      this.session.add_rule(new pl.type.Rule(head, null), { context_module: "user" });
    }
  }

  /** Runs a query given as text (one goal, the final '.' optional). */
  async query(text: string, limits: Partial<Limits> = {}): Promise<QueryResult> {
    const bounded = checkLimits(limits);
    return this.exclusive(async () => {
      this.output = "";
      const thread = new pl.type.Thread(this.session);
      let goals = 0;
      let failure: Term | undefined;
      thread.query(/\.\s*$/.test(text) ? text : `${text}\n.`, { success: () => goals++, error: (e) => (failure ??= e) });
      if (failure) throw withinText(prologError(failure, this.session), text);
      if (goals === 0) throw new SkbSyntaxError("empty query", { line: 1, column: 1 });
      if (goals > 1) throw new SkbSyntaxError("one goal per query", secondClause(text));
      const { answers, truncated, stopped } = await this.drive(thread, bounded, (a) => this.format(a));
      if (stopped) throw new SkbLimitError(stopped, bounded[stopped === "steps" ? "maxSteps" : "maxMs"], answers);
      return { answers, truncated, output: this.output };
    });
  }

  /**
   * Solves `functor(args..., X)` built from data (nothing is parsed, so no
   * operator or flag a user query set can change its meaning) and returns X
   * in the first solution, or undefined if there is none.
   */
  solveFor(functor: string, args: readonly PlTerm[], limits: Limits): Promise<PlTerm | undefined> {
    return this.exclusive(async () => {
      const thread = new pl.type.Thread(this.session);
      const out = new pl.type.Var("Out");
      thread.add_goal(new pl.type.Term(functor, [...args.map((a) => this.term(a)), out]));
      const { answers, stopped } = await this.drive(thread, { ...limits, maxAnswers: 1 }, (a) => a.links.Out);
      if (stopped) throw new SkbLimitError(stopped, limits[stopped === "steps" ? "maxSteps" : "maxMs"]);
      return answers.length ? fromValue(answers[0]) : undefined;
    });
  }

  private exclusive<T>(task: () => Promise<T>): Promise<T> {
    const result = this.tail.then(task);
    this.tail = result.catch(() => undefined);
    return result;
  }

  /** Collects answers a stretch of steps at a time until done or out of budget. */
  private async drive<T>(
    thread: Thread,
    limits: Limits,
    take: (a: Substitution) => T,
  ): Promise<{ answers: T[]; truncated: boolean; stopped?: "steps" | "time" }> {
    const started = Date.now();
    const first = thread.total_steps;
    const answers: T[] = [];
    let stretch = FIRST_STRETCH;
    let yielded = { at: started, steps: first };
    for (;;) {
      const used = thread.total_steps - first;
      if (used >= limits.maxSteps) return { answers, truncated: true, stopped: "steps" };
      const now = Date.now();
      if (now - started >= limits.maxMs) return { answers, truncated: true, stopped: "time" };
      if (now - yielded.at >= YIELD_MS || thread.total_steps - yielded.steps >= YIELD_STEPS) {
        await new Promise((resolve) => setTimeout(resolve, 0));
        yielded = { at: Date.now(), steps: thread.total_steps };
        continue;
      }
      const steps = Math.min(stretch, limits.maxSteps - used);
      thread.setMaxInferences(steps);
      const outcome = run(thread);
      stretch = Math.max(16, Math.min(MAX_STRETCH, Math.round((steps * STRETCH_MS) / Math.max(1, Date.now() - now))));
      if (outcome.kind === "fail") return { answers, truncated: false };
      if (outcome.kind === "error") throw prologError(outcome.error, this.session);
      if (outcome.kind === "answer") {
        answers.push(take(outcome.answer));
        if (answers.length >= limits.maxAnswers) return { answers, truncated: thread.points.length > 0 };
      }
    }
  }

  private format(answer: Substitution): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [name, value] of Object.entries(answer.links)) {
      if (name.startsWith("_") || isVar(value)) continue; // unbound: nothing to say
      out[name] = value.toString({ quoted: true, session: this.session });
    }
    return out;
  }

  /**
   * No host access: halt/0,1 end the query instead of the process (the
   * nodejs flag), files do not open, input is empty and output is captured.
   */
  private sandbox(): void {
    const s = this.session;
    s.flag.nodejs = new pl.type.Term("false", []);
    s.file_system = { open: () => null, get: () => null };
    const input = new pl.type.Stream(
      { get: () => "end_of_stream", eof: () => true, get_byte: () => "end_of_stream" },
      "read",
      "user_input",
      "text",
      false,
      "reset",
    );
    const sink = {
      put: (text: string) => {
        if (this.output.length < OUTPUT_LIMIT) this.output += text.slice(0, OUTPUT_LIMIT - this.output.length);
        return true;
      },
      flush: () => true,
    };
    const output = new pl.type.Stream(sink, "append", "user_output", "text", false, "reset");
    const error = new pl.type.Stream(sink, "append", "user_error", "text", false, "reset");
    s.streams = { user_input: input, user_output: output, user_error: error };
    s.standard_input = s.current_input = input;
    s.standard_output = s.current_output = output;
    s.standard_error = error;
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

function isVar(v: Value): v is Var {
  return !("args" in v) && !("value" in v);
}

/**
 * Runs a thread to its next answer, failure or error, or to the end of its
 * step budget. tau-prolog settles the outcome synchronously and only reports
 * it from a timer, so it is read through the thread's format hooks instead
 * of waiting a timer tick per answer.
 */
function run(thread: Thread): Outcome {
  let outcome: Outcome | undefined;
  thread.format_success = (state) => (outcome = { kind: "answer", answer: state.substitution }).answer;
  thread.format_error = (state) => (outcome = { kind: "error", error: state.goal! }).error;
  try {
    thread.answer(IGNORE);
  } catch (e) {
    // A builtin that reached for a host facility the sandbox removed.
    throw new SkbQueryError(e instanceof Error ? e.message : String(e));
  }
  if (outcome) return outcome;
  if (thread.__calls.length > 0) throw new SkbQueryError("the query called an asynchronous predicate, which the SKB does not run");
  return thread.points.length === 0 ? { kind: "fail" } : { kind: "limit" };
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
  if (failure) throw prologError(failure, session);
  if (!done) throw new Error("tau-prolog did not consult the program synchronously");
}

/** The clauses of a program, parsed in a scratch session the first time. */
function clauses(program: string): Rule[] {
  let rules = parsedPrograms.get(program);
  if (!rules) {
    const scratch = pl.create();
    consult(scratch, program);
    rules = Object.values(scratch.rules).flat();
    parsedPrograms.set(program, rules);
  }
  return rules;
}

/** A Prolog value as data: numbers, atoms (strings), lists and compound terms. */
function fromValue(v: Value): PlTerm {
  if ("value" in v) return v.value;
  if (!("args" in v)) throw new SkbQueryError(`unbound variable ${v.id} in a result`);
  if (v.indicator === "[]/0") return [];
  if (v.indicator === "./2") {
    const items: PlTerm[] = [];
    let p: Value = v;
    while ("args" in p && p.indicator === "./2") {
      items.push(fromValue(p.args[0]));
      p = p.args[1];
    }
    if (!("args" in p) || p.indicator !== "[]/0") throw new SkbQueryError("a result list is not proper");
    return items;
  }
  if (v.args.length === 0) return v.id;
  return { functor: v.id, args: v.args.map(fromValue) } satisfies Compound;
}

/** tau-prolog's error term as one of the SKB's errors. */
function prologError(e: Term, session: Session): Error {
  const err = e.indicator === "throw/1" ? e.args[0] : e;
  if ("args" in err && err.indicator === "error/2") {
    const [kind, info] = err.args;
    if ("args" in kind && kind.indicator === "syntax_error/1") {
      const at: Record<string, number> = {};
      for (let p: Value = info; "args" in p && p.indicator === "./2"; p = p.args[1]) {
        const item = p.args[0];
        if ("args" in item && item.args.length === 1 && "value" in item.args[0]) at[item.id] = item.args[0].value;
      }
      // tau counts lines from 1 and columns from 0.
      return new SkbSyntaxError(kind.args[0].toString(), { line: at.line ?? 1, column: (at.column ?? 0) + 1 });
    }
  }
  return new SkbQueryError(err.toString({ quoted: true, session }));
}

/** An error found past the user's text (in the '.' the engine appends) is at its end. */
function withinText(e: Error, text: string): Error {
  const lines = text.split("\n");
  if (!(e instanceof SkbSyntaxError) || e.position.line <= lines.length) return e;
  return new SkbSyntaxError(e.reason, { line: lines.length, column: lines[lines.length - 1].length + 1 });
}

/**
 * Where the second clause of a text starts: after the first end token ('.'
 * followed by layout, '%' or the end), outside quotes and comments.
 */
function secondClause(text: string): { line: number; column: number } {
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === "%") i = text.indexOf("\n", i) < 0 ? text.length : text.indexOf("\n", i);
    else if (c === "/" && text[i + 1] === "*") i = text.indexOf("*/", i + 2) < 0 ? text.length : text.indexOf("*/", i + 2) + 2;
    else if (c === "0" && text[i + 1] === "'") i += 3;
    else if (c === "'" || c === '"' || c === "`") {
      for (i++; i < text.length && text[i] !== c; i++) if (text[i] === "\\") i++;
      i++;
    } else if (c === "." && (i + 1 === text.length || /[\s%]/.test(text[i + 1]))) {
      i++;
      break;
    } else i++;
  }
  while (i < text.length && /\s/.test(text[i])) i++;
  const before = text.slice(0, i).split("\n");
  return { line: before.length, column: before[before.length - 1].length + 1 };
}
