// Prolog terms as JSON, for the answers a query gives: numbers as numbers,
// atoms as strings, proper lists as arrays, compound terms as
// {"functor": "f", "args": [...]}, unbound variables as {"var": "_123"}.
// Converting one is bounded twice: by the bytes of JSON it makes (a term
// whose subterms are shared can be exponentially larger written out than in
// memory) and by its depth.
import type { Value } from "tau-prolog";

export type AnswerTerm = number | string | AnswerTerm[] | { functor: string; args: AnswerTerm[] } | { var: string };

/** One answer: variable name -> its value. Variables left unbound or named _... are left out. */
export type Answer = Record<string, AnswerTerm>;

/** Nesting an answer may have: JSON parsers and printers recurse. */
export const MAX_ANSWER_DEPTH = 1000;

/** Thrown when a term would pass the bytes or the depth it may take. */
export class TooLarge extends Error {
  constructor(readonly limit: "answerBytes" | "depth") {
    super(`answer over its ${limit}`);
  }
}

/** Bytes of JSON left for answers; spend() throws TooLarge past them. */
export class ByteBudget {
  constructor(public left: number) {}

  spend(bytes: number): void {
    if ((this.left -= bytes) < 0) throw new TooLarge("answerBytes");
  }
}

/** UTF-8 bytes of a string's JSON text. */
function jsonBytes(s: string): number {
  const text = JSON.stringify(s);
  let n = text.length;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0x80) n += c >= 0x800 && (c < 0xd800 || c > 0xdfff) ? 2 : 1; // a surrogate pair is 4 bytes for 2 units
  }
  return n;
}

/** A tau-prolog term as JSON, its bytes charged to `budget`. */
export function toAnswerTerm(v: Value, budget: ByteBudget, depth = 0): AnswerTerm {
  if (depth > MAX_ANSWER_DEPTH) throw new TooLarge("depth");
  if ("value" in v) {
    budget.spend(String(v.value).length);
    return v.value;
  }
  if ("alias" in v) {
    // A stream (current_output(S)): its text, as an atom.
    const text = v.toString();
    budget.spend(jsonBytes(text));
    return text;
  }
  if (!("args" in v)) {
    budget.spend(jsonBytes(v.id) + 8);
    return { var: v.id };
  }
  if (v.indicator === "./2") {
    const items: AnswerTerm[] = [];
    let p: Value = v;
    for (; "args" in p && p.indicator === "./2"; p = p.args[1]) {
      budget.spend(1);
      items.push(toAnswerTerm(p.args[0], budget, depth + 1));
    }
    if ("args" in p && p.indicator === "[]/0") return items;
    // A partial or improper list: the '.'/2 cells as compound terms.
    let tail = toAnswerTerm(p, budget, depth + 1);
    for (let i = items.length - 1; i >= 0; i--) tail = { functor: ".", args: [items[i], tail] };
    return tail;
  }
  if (v.indicator === "[]/0") {
    budget.spend(2);
    return [];
  }
  budget.spend(jsonBytes(v.id) + (v.args.length ? 22 : 0));
  if (v.args.length === 0) return v.id;
  return { functor: v.id, args: v.args.map((a) => (budget.spend(1), toAnswerTerm(a, budget, depth + 1))) };
}

/** What termText prints: an answer's term or a fact's (PlTerm). */
type Printable = number | string | readonly Printable[] | { readonly functor: string; readonly args: readonly Printable[] } | { readonly var: string };

/** A term as Prolog text in canonical form (no operators), e.g. `-(1,to(2,452,0))`. */
export function termText(t: Printable): string {
  if (typeof t === "number") return String(t);
  if (typeof t === "string") return atomText(t);
  if (isList(t)) return `[${t.map(termText).join(",")}]`;
  if ("var" in t) return t.var;
  return `${atomText(t.functor)}(${t.args.map(termText).join(",")})`;
}

function isList(t: Printable): t is readonly Printable[] {
  return Array.isArray(t);
}

/** An atom, quoted when it is not a plain name or a run of symbol characters. */
function atomText(a: string): string {
  if (/^[a-z][A-Za-z0-9_]*$/.test(a) || /^[+\-*/\\^<>=~:?@#&$]+$/.test(a) || ["[]", "!", ";", "{}"].includes(a)) return a;
  return `'${a.replace(/\\/g, "\\\\").replace(/'/g, "\\'").replace(/\n/g, "\\n")}'`;
}
