// The slice of tau-prolog 0.3.4 the SKB uses (the package ships no types).
declare module "tau-prolog" {
  export interface Term {
    id: string;
    args: Value[];
    indicator: string;
    toString(options?: { quoted?: boolean; session?: Session }): string;
  }
  export interface Num {
    value: number;
    is_float: boolean;
    toString(options?: { quoted?: boolean; session?: Session }): string;
  }
  export interface Var {
    id: string;
    toString(options?: { quoted?: boolean; session?: Session }): string;
  }
  export type Value = Term | Num | Var;
  export interface Rule {
    head: Term;
    body: Term | null;
  }
  export interface Substitution {
    links: Record<string, Value>;
  }
  /** A device behind a stream: text in (get/eof) or out (put/flush). */
  export interface StreamDevice {
    get?(length: number, position: number): string;
    eof?(position: number): boolean;
    get_byte?(position: number): number | "end_of_stream";
    put?(text: string, position: number | string): boolean;
    flush?(): boolean;
  }
  export interface Stream {
    alias: string;
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
    total_steps: number;
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
    throw_error(error: Term): void;
  }
  /** A builtin predicate's implementation: it acts on the thread for the goal `atom` at `point`. */
  export type Builtin = (thread: Thread, point: State, atom: Term) => void;
  export interface Session {
    thread: Thread;
    /** The clauses of the user module, by predicate indicator. */
    rules: Record<string, Rule[]>;
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
  interface Tau {
    create(limit?: number): Session;
    /** The system module and the loaded libraries: builtins by predicate indicator. */
    builtin: { rules: Record<string, Builtin> };
    modules: Record<string, { rules: Record<string, Builtin> }>;
    error: { representation(flag: string, indicator: string): Term };
    type: {
      Term: new (id: string, args?: Value[]) => Term;
      Num: new (value: number, isFloat?: boolean) => Num;
      Var: new (id: string) => Var;
      Rule: new (head: Term, body: Term | null) => Rule;
      Stream: new (device: StreamDevice, mode: string, alias: string, type: string, reposition: boolean, eofAction: string) => Stream;
      Thread: new (session: Session) => Thread;
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
