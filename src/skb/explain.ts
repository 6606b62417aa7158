// ISO Prolog's error terms as sentences a person reads: `unknown predicate
// foo/1; the SKB knows: core/1, rtt/3, ...` rather than
// error(existence_error(procedure,foo/1),top_level/0). The term itself stays
// in the error for programs (SkbQueryError.term).
import { termText, type AnswerTerm } from "./answers.ts";
import { MAX_ARITY, MAX_ATOM_LENGTH } from "./sandbox.ts";

type Compound = { functor: string; args: AnswerTerm[] };

const isCompound = (t: AnswerTerm | undefined, functor?: string, arity?: number): t is Compound =>
  typeof t === "object" && "functor" in t && (functor === undefined || t.functor === functor) && (arity === undefined || t.args.length === arity);

/** Name/Arity as text, or undefined if `t` is not a predicate indicator. */
function indicator(t: AnswerTerm | undefined): string | undefined {
  if (!isCompound(t, "/", 2)) return undefined;
  const [name, arity] = t.args;
  return typeof name === "string" && typeof arity === "number" ? `${name}/${arity}` : undefined;
}

const text = (t: AnswerTerm | undefined): string => (t === undefined ? "?" : termText(t));
const words = (t: AnswerTerm | undefined): string => text(t).replace(/_/g, " ");

const EVALUATION: Record<string, string> = {
  zero_divisor: "division by zero",
  undefined: "the result is undefined",
  float_overflow: "a float overflowed",
  int_overflow: "an integer overflowed",
};

function unknownPredicate(p: string, known: readonly string[]): string {
  const name = p.slice(0, p.lastIndexOf("/"));
  const others = known.filter((k) => k.slice(0, k.lastIndexOf("/")) === name);
  return `unknown predicate ${p}${others.length ? ` (the SKB has ${others.join(", ")})` : ""}; the SKB knows: ${known.join(", ")}`;
}

/** What the uncaught exception `ball` means; `known` lists the predicates a query can ask about. */
export function explain(ball: AnswerTerm, known: readonly string[]): string {
  if (!isCompound(ball, "error", 2)) return `uncaught exception: ${text(ball)}`;
  const [formal, context] = ball.args;
  const where = indicator(context);
  const at = where && where !== "top_level/0" ? ` in ${where}` : "";
  const kind = typeof formal === "string" ? formal : isCompound(formal) ? formal.functor : undefined;
  const args = isCompound(formal) ? formal.args : [];
  switch (kind) {
    case "existence_error": {
      const p = args[0] === "procedure" ? indicator(args[1]) : undefined;
      return p ? unknownPredicate(p, known) : `no such ${words(args[0])}: ${text(args[1])}${at}`;
    }
    case "instantiation_error":
      return `a variable is unbound where a value is needed${at}`;
    case "type_error":
      return args[0] === "evaluable" ? `${indicator(args[1]) ?? text(args[1])} is not an arithmetic function${at}` : `expected ${words(args[0])}, got ${text(args[1])}${at}`;
    case "domain_error":
      return `${text(args[1])} is outside the domain ${words(args[0])}${at}`;
    case "evaluation_error":
      return `arithmetic error${at}: ${EVALUATION[String(args[0])] ?? words(args[0])}`;
    case "representation_error":
      return args[0] === "max_arity" ? `a term may have at most ${MAX_ARITY} arguments${at}` : `${words(args[0])} exceeded${at}`;
    case "resource_error":
      return /concat/.test(where ?? "") ? `${where} would build an atom of more than ${MAX_ATOM_LENGTH} characters` : `out of ${words(args[0])}${at}`;
    case "permission_error": {
      const culprit = indicator(args[2]) ?? text(args[2]);
      if (args[0] === "call" && args[1] === "sandboxed") {
        return `${culprit} may not be called in an SKB query: a query only reads the machine's facts and rules and writes to its output`;
      }
      return `no permission to ${words(args[0])} ${words(args[1])} ${culprit}${at}`;
    }
    case "syntax_error":
      return `syntax error${at}: ${words(args[0])}`;
    default:
      return `error ${text(formal)}${at}`;
  }
}
