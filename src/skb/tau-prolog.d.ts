// The slice of tau-prolog 0.3.4 the SKB uses (the package ships no types).
declare module "tau-prolog" {
  export interface Term {
    id: string;
    args: Value[];
    indicator: string;
    ground: boolean;
    toString(options?: { quoted?: boolean; session?: Session }): string;
  }
  export interface Num {
    value: number;
    apply(subs: Substitution): Value;
    is_float: boolean;
    toString(options?: { quoted?: boolean; session?: Session }): string;
  }
  export interface Var {
    id: string;
    apply(subs: Substitution): Value;
    toString(options?: { quoted?: boolean; session?: Session }): string;
  }
  /** An open stream used as a term (current_output(S)). */
  export interface Stream {
    alias: string;
    toString(): string;
  }
  export type Value = Term | Num | Var | Stream;
  export interface Rule {
    head: Term;
    body: Term | null;
  }
  export interface Substitution {
    links: Record<string, Value>;
    /** The variables it binds, as names (plain) or Var terms. */
    domain(plain?: boolean): unknown[];
  }
  /** A device behind a stream: text in (get/eof) or out (put/flush). */
  export interface StreamDevice {
    get?(length: number, position: number): string;
    eof?(position: number): boolean;
    get_byte?(position: number): number | "end_of_stream";
    put?(text: string, position: number | string): boolean;
    flush?(): boolean;
  }
  export interface AnswerCallbacks {
    success(answer: Substitution): void;
    fail(): void;
    error(error: Term): void;
    limit(): void;
  }
  export interface ParseCallbacks {
    success(): void;
    error(error: Term): void;
  }
  export interface State {
    goal: Term | null;
    substitution: Substitution;
  }
  export interface Thread {
    session: Session;
    total_steps: number;
    /** Steps left before the answer in progress stops at its limit. */
    current_limit: number;
    points: State[];
    /** Answers waiting for an asynchronous builtin. */
    __calls: unknown[];
    /** Hooks that turn the final state of an answer (or an error) into what the callbacks get. */
    format_success(state: State): unknown;
    format_error(state: State): unknown;
    setMaxInferences(max: number): void;
    query(goal: string, options: ParseCallbacks): void;
    add_goal(goal: Term): void;
    answer(options: AnswerCallbacks): void;
    step(): boolean | undefined;
    throw_error(error: Term): void;
  }
  /** A builtin predicate's implementation: it acts on the thread for the goal `atom` at `point`. */
  export type Builtin = (thread: Thread, point: State, atom: Term) => void;
  /** A module: its predicates by indicator, as clauses (Prolog) or a function (a builtin), and their indexes. */
  export interface Module {
    id: string;
    rules: Record<string, Rule[] | Builtin>;
    indexed_clauses: Record<string, Record<string, Rule[]>>;
    non_indexable_clauses: Record<string, Rule[]>;
    public_predicates: Record<string, boolean>;
    multifile_predicates: Record<string, boolean>;
    meta_predicates: Record<string, Term>;
    src_predicates: Record<string, string>;
    /** The modules this one imports (written by tau-prolog on every predicate lookup). */
    modules: Record<string, Module>;
  }
  export interface Session {
    thread: Thread;
    /** The modules a goal can reach, by name: user, system and the libraries loaded. */
    modules: Record<string, Module>;
    /** The user module's clauses, by predicate indicator. */
    rules: Module["rules"];
    public_predicates: Module["public_predicates"];
    multifile_predicates: Module["multifile_predicates"];
    flag: Record<string, Value>;
    streams: Record<string, Stream>;
    standard_input: Stream;
    standard_output: Stream;
    standard_error: Stream;
    current_input: Stream;
    current_output: Stream;
    file_system: { open(path: string, type: string, mode: string): unknown; get?(path: string): unknown };
    consult(
      program: string,
      options: ParseCallbacks & { text?: boolean; file?: boolean; url?: boolean; html?: boolean; script?: boolean },
    ): void;
    add_rule(rule: Rule, options: { context_module: string }): void;
  }
  /** A class of tau-prolog objects: constructor and prototype, for the SKB's taps (meter.ts). */
  interface Class<T, A extends unknown[]> {
    new (...args: A): T;
    prototype: T & Record<string, unknown>;
  }
  interface Tau {
    create(limit?: number): Session;
    /** The system module: the builtins, by predicate indicator. */
    builtin: Module;
    /** The system module and the loaded libraries, by name. */
    modules: Record<string, Module>;
    error: { representation(flag: string, indicator: string): Term };
    /** Unifies two terms: the substitution, or null. */
    unify(a: Value, b: Value, occurs_check?: boolean): Substitution | null;
    /** Standard order of terms: -1, 0 or 1. */
    compare(a: Value, b: Value): number;
    type: {
      Term: Class<Term, [id: string, args?: Value[]]>;
      Num: Class<Num, [value: number, isFloat?: boolean]>;
      Var: Class<Var, [id: string]>;
      Rule: Class<Rule, [head: Term, body: Term | null]>;
      Stream: Class<Stream, [device: StreamDevice, mode: string, alias: string, type: string, reposition: boolean, eofAction: string]>;
      Thread: Class<Thread, [session: Session]>;
      Substitution: Class<Substitution, [links?: Record<string, Value>]>;
      is_variable(v: unknown): v is Var;
      is_term(v: unknown): v is Term;
      is_number(v: unknown): v is Num;
    };
  }
  const pl: Tau;
  export default pl;
}

declare module "tau-prolog/modules/lists.js" {
  import type pl from "tau-prolog";
  /** Registers the `lists` library with the given tau-prolog instance. */
  export default function load(tau: typeof pl): void;
}
