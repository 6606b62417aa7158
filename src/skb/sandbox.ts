// What a query may call, and the fresh state it runs in.
//
// A query reads the machine's facts and rules; it changes nothing that
// outlives it, and reaches nothing outside the engine. So each query gets a
// new tau-prolog session (its own flags, operators, streams, variable
// numbering and global stacks) over the machine's one user module, which is
// frozen once its facts and rules are in; and its session's system module is
// SYSTEM below: the builtins of ALLOWED_BUILTINS as tau-prolog has them (a
// few with a size cap), every other builtin replaced by a permission error
// naming it. library(lists) is pure and allowed whole.
import "./tau-globals.ts";
import pl from "tau-prolog";
import loadLists from "tau-prolog/modules/lists.js";
import type { Builtin, Module, Session, Term, Value } from "tau-prolog";

loadLists(pl);

/**
 * The builtins a query may call: control, unification and comparison,
 * arithmetic, atoms, all-solutions and sorting, reading the program and
 * the flags, and writing to the query's captured output. Not allowed:
 * changing the database (assert, retract, abolish, consult), flags or
 * operators (set_prolog_flag, op), any input or stream handling (read,
 * get_char, open, close, set_input, set_output...), halt, and the clock;
 * nor catch/3, call_cleanup/2 and setup_call_cleanup/3, which tau-prolog runs
 * in a second thread that answers from a timer, out of the meter's reach (an
 * uncaught error ends the query with the error explained). tau-prolog's
 * internal `$` helpers of findall/3, bagof/3 and if-then-else are allowed.
 */
export const ALLOWED_BUILTINS: ReadonlySet<string> = new Set([
  // control
  ...["!/0", ";/2", "->/2", "*->/2", "\\+/1", "true/0", "fail/0", "false/0", "once/1", "forall/2", "repeat/0"],
  ...["call/1", "call/2", "call/3", "call/4", "call/5", "call/6", "call/7", "call/8"],
  ...["throw/1", "phrase/2", "phrase/3"],
  // terms
  ...["=/2", "\\=/2", "==/2", "\\==/2", "@</2", "@=</2", "@>/2", "@>=/2", "compare/3", "unify_with_occurs_check/2"],
  ...["var/1", "nonvar/1", "atom/1", "number/1", "integer/1", "float/1", "atomic/1", "compound/1", "callable/1", "is_list/1", "ground/1", "acyclic_term/1"],
  ...["functor/3", "arg/3", "=../2", "copy_term/2", "term_variables/2", "term_variables/3", "subsumes_term/2", "numbervars/3", "get_attr/3", "put_attr/3"],
  // arithmetic
  ...["is/2", "</2", ">/2", "=</2", ">=/2", "=:=/2", "=\\=/2", "succ/2", "between/3"],
  // atoms
  ...["atom_length/2", "atom_concat/3", "sub_atom/5", "atom_chars/2", "atom_codes/2", "char_code/2", "number_chars/2", "number_codes/2"],
  ...["upcase_atom/2", "downcase_atom/2", "atomic_concat/3", "atomic_list_concat/2", "atomic_list_concat/3"],
  // all solutions, sorting
  ...["findall/3", "findall/4", "bagof/3", "setof/3", "sort/2", "keysort/2", "keygroup/2"],
  // the program and the flags, read only
  ...["clause/2", "current_predicate/1", "predicate_property/2", "current_op/3", "current_prolog_flag/2", "current_module/1", "listing/0", "listing/1"],
  // output, captured
  ...["write/1", "writeq/1", "write_canonical/1", "write_term/2", "nl/0", "put_char/1", "put_code/1", "flush_output/0", "current_output/1"],
  ...["write/2", "writeq/2", "write_canonical/2", "write_term/3", "nl/1", "put_char/2", "put_code/2", "flush_output/1"],
]);

/**
 * Builtins that build a term or an atom of any size in one step: above
 * these sizes they raise ISO's errors instead, representation_error(max_arity)
 * and resource_error(memory). (A list built cell by cell is the meter's.)
 */
export const MAX_ARITY = 65535;
export const MAX_ATOM_LENGTH = 1 << 20;

const T = pl.type.Term;
const atom = (name: string) => new T(name, []);
const indicatorTerm = (indicator: string) => {
  const slash = indicator.lastIndexOf("/");
  return new T("/", [atom(indicator.slice(0, slash)), new pl.type.Num(Number(indicator.slice(slash + 1)), false)]);
};
const error = (formal: Term, indicator: string) => new T("error", [formal, indicatorTerm(indicator)]);

/** error(permission_error(call, sandboxed, Name/Arity), Name/Arity), as SWI-Prolog's sandbox says it. */
const denied: Builtin = (thread, _point, goal) =>
  thread.throw_error(error(new T("permission_error", [atom("call"), atom("sandboxed"), indicatorTerm(goal.indicator)]), goal.indicator));

/** Length of an atomic's text, or 0 for anything else (the builtin reports those). */
const textLength = (v: Value): number => ("value" in v ? String(v.value).length : "args" in v && v.args.length === 0 ? v.id.length : 0);

/** The atom a concatenation would build, measured before it is built. */
const concatLength: Record<string, (args: Value[]) => number> = {
  "atom_concat/3": ([a, b]) => textLength(a) + textLength(b),
  "atomic_concat/3": ([a, b]) => textLength(a) + textLength(b),
  "atomic_list_concat/3": ([list, separator]) => {
    let n = 0;
    for (let p = list; "args" in p && p.indicator === "./2"; p = p.args[1]) n += textLength(p.args[0]) + textLength(separator);
    return n;
  },
};

function capped(indicator: string, builtin: Builtin): Builtin {
  if (indicator === "functor/3") {
    return (thread, point, goal) => {
      const n = goal.args[2];
      if ("value" in n && !n.is_float && n.value > MAX_ARITY) return thread.throw_error(pl.error.representation("max_arity", indicator));
      builtin(thread, point, goal);
    };
  }
  const length = concatLength[indicator];
  if (!length) return builtin;
  return (thread, point, goal) => {
    if (length(goal.args) > MAX_ATOM_LENGTH) return thread.throw_error(error(new T("resource_error", [atom("memory")]), indicator));
    builtin(thread, point, goal);
  };
}

/** The system module every query sees: tau-prolog's, with its predicates filtered as above. */
const SYSTEM: Module = Object.create(pl.builtin, {
  rules: {
    value: Object.freeze(
      Object.fromEntries(
        Object.entries(pl.builtin.rules).map(([indicator, rule]) => [
          indicator,
          ALLOWED_BUILTINS.has(indicator) || indicator.startsWith("$") ? (typeof rule === "function" ? capped(indicator, rule) : rule) : denied,
        ]),
      ),
    ),
  },
});

/** What a query printed, up to a cap. */
export class Output {
  text = "";
  truncated = false;
  constructor(private readonly limit: number) {}

  put(text: string): void {
    const room = this.limit - this.text.length;
    if (text.length > room) this.truncated = true;
    this.text += room > 0 ? text.slice(0, room) : "";
  }
}

/**
 * A session that has loaded library(lists), with `program` and `facts` in
 * its user module: the module every query of one engine shares. It is
 * frozen, so even a builtin that slipped past SYSTEM could not change it.
 */
export function userModule(build: (session: Session) => void): Module {
  const session = pl.create();
  build(session);
  const user = session.modules.user;
  for (const index of Object.values(user.indexed_clauses)) for (const clauses of Object.values(index)) Object.freeze(clauses);
  for (const table of [user.rules, user.indexed_clauses, user.non_indexable_clauses]) {
    for (const entry of Object.values(table)) Object.freeze(entry);
    Object.freeze(table);
  }
  for (const table of [user.public_predicates, user.multifile_predicates, user.meta_predicates, user.src_predicates]) Object.freeze(table);
  return user;
}

/** A new session over `user`: its own flags, operators and streams; SYSTEM's builtins; input empty, output into `output`. */
export function querySession(user: Module, output: Output): Session {
  const s = pl.create();
  s.modules.user = user;
  s.modules.system = SYSTEM;
  s.modules.lists = pl.modules.lists;
  s.rules = user.rules;
  s.public_predicates = user.public_predicates;
  s.multifile_predicates = user.multifile_predicates;
  // halt/0,1 would end the process under the nodejs flag; no file opens.
  s.flag.nodejs = atom("false");
  s.file_system = { open: () => null, get: () => null };
  const input = new pl.type.Stream({ get: () => "end_of_stream", eof: () => true, get_byte: () => "end_of_stream" }, "read", "user_input", "text", false, "reset");
  const sink = { put: (text: string) => (output.put(text), true), flush: () => true };
  const out = new pl.type.Stream(sink, "append", "user_output", "text", false, "reset");
  const err = new pl.type.Stream(sink, "append", "user_error", "text", false, "reset");
  s.streams = { user_input: input, user_output: out, user_error: err };
  s.standard_input = s.current_input = input;
  s.standard_output = s.current_output = out;
  s.standard_error = err;
  return s;
}
