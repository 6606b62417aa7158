// What can go wrong when asking the SKB, one class per answer the API layer
// gives: a query that does not parse (400), a query stopped by its limits or
// ended by an uncaught Prolog exception (422), a bad argument (400).
import type { Answer } from "./answers.ts";

export class SkbError extends Error {
  override name = "SkbError";
}

/** The text is not Prolog. line is 1-based; column is where the parser stopped on that line. */
export class SkbSyntaxError extends SkbError {
  override name = "SkbSyntaxError";
  constructor(
    readonly reason: string,
    readonly position: { line: number; column: number },
  ) {
    super(`syntax error at line ${position.line}, column ${position.column}: ${reason}`);
  }
}

/** What bounds a query: the Limits field of each, but depth (how deeply a term may nest). */
export type Limit = "steps" | "time" | "cells" | "answerBytes" | "depth";

const LIMIT_TEXT: Record<Limit, (max: number | undefined) => string> = {
  steps: (max) => `query stopped after ${max} resolution steps (maxSteps); it may not terminate`,
  time: (max) => `query stopped after ${max} ms (maxMs)`,
  cells: (max) => `query stopped after building ${max} term cells (maxCells): a term grows without bound, or is copied too often`,
  answerBytes: (max) => `query stopped: its answers passed ${max} bytes of JSON (maxAnswerBytes); ask for fewer or smaller answers`,
  depth: (max) => `query stopped: a term is nested ${max === undefined ? "too deeply for the engine" : `more than ${max} levels deep`}`,
};

/** A query ran out of one of its budgets. `answers` holds what it found before. */
export class SkbLimitError extends SkbError {
  override name = "SkbLimitError";
  constructor(
    readonly limit: Limit,
    /** The budget, or undefined where the engine's own stack ran out first. */
    readonly max: number | undefined,
    readonly answers: Answer[] = [],
  ) {
    super(LIMIT_TEXT[limit](max));
  }
}

/**
 * The query raised an exception it did not catch: the message says it for
 * a person (explain.ts), `term` is the exception as Prolog text, e.g.
 * error(existence_error(procedure,foo/1),top_level/0) (empty if it is too
 * large to show).
 */
export class SkbQueryError extends SkbError {
  override name = "SkbQueryError";
  constructor(
    message: string,
    readonly term: string,
  ) {
    super(message);
  }
}

/** A bad argument; `field` names it (kind, root, fanout, cores, rtt, maxSteps...). */
export class SkbFieldError extends SkbError {
  override name = "SkbFieldError";
  constructor(
    readonly field: string,
    readonly reason: string,
  ) {
    super(`${field}: ${reason}`);
  }
}
