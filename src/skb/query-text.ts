// Checks on a query's text before tau-prolog parses it: one goal, and
// brackets nested no deeper than its recursive parser can take (a few
// hundred levels overflow its stack in workerd).
import { SkbSyntaxError } from "./errors.ts";

/** Brackets a query may nest: far more than a goal needs, far less than the parser's stack. */
export const MAX_NESTING = 100;

/** Indices of the characters of `text` that are code: outside quotes, comments and 0'c literals. */
function* code(text: string): Generator<number> {
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === "%") i = text.indexOf("\n", i) < 0 ? text.length : text.indexOf("\n", i);
    else if (c === "/" && text[i + 1] === "*") i = text.indexOf("*/", i + 2) < 0 ? text.length : text.indexOf("*/", i + 2) + 2;
    else if (c === "0" && text[i + 1] === "'") i += 3;
    else if (c === "'" || c === '"' || c === "`") {
      for (i++; i < text.length && text[i] !== c; i++) if (text[i] === "\\") i++;
      i++;
    } else yield i++;
  }
}

function position(text: string, index: number): { line: number; column: number } {
  const before = text.slice(0, index).split("\n");
  return { line: before.length, column: before[before.length - 1].length + 1 };
}

/** Throws SkbSyntaxError at the bracket that opens level MAX_NESTING + 1. */
export function checkNesting(text: string): void {
  let depth = 0;
  for (const i of code(text)) {
    const c = text[i];
    if (c === "(" || c === "[" || c === "{") {
      if (++depth > MAX_NESTING) throw new SkbSyntaxError(`brackets nested more than ${MAX_NESTING} levels deep`, position(text, i));
    } else if (c === ")" || c === "]" || c === "}") depth--;
  }
}

/** Where the second clause of a text starts: after the first end token ('.' followed by layout, '%' or the end). */
export function secondClause(text: string): { line: number; column: number } {
  let i = text.length;
  for (const j of code(text)) {
    if (text[j] === "." && (j + 1 === text.length || /[\s%]/.test(text[j + 1]))) {
      i = j + 1;
      break;
    }
  }
  while (i < text.length && /\s/.test(text[i])) i++;
  return position(text, i);
}

/** A syntax error found past the user's text (in the '.' the engine appends) is at its end. */
export function withinText(e: Error, text: string): Error {
  const lines = text.split("\n");
  if (!(e instanceof SkbSyntaxError) || e.position.line <= lines.length) return e;
  return new SkbSyntaxError(e.reason, { line: lines.length, column: lines[lines.length - 1].length + 1 });
}
