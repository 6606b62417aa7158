// What can go wrong when asking the SKB, one class per answer the API layer
// gives: a query that does not parse (400), a query stopped by its limits or
// ended by an uncaught Prolog exception (422), a bad argument (400).

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

/** A query ran out of its step or wall-time budget. `answers` holds what it found before. */
export class SkbLimitError extends SkbError {
  override name = "SkbLimitError";
  constructor(
    readonly limit: "steps" | "time",
    readonly max: number,
    readonly answers: Record<string, string>[] = [],
  ) {
    super(
      limit === "steps"
        ? `query stopped after ${max} resolution steps (maxSteps); it may not terminate`
        : `query stopped after ${max} ms (maxMs)`,
    );
  }
}

/** The query raised an exception it did not catch, e.g. existence_error for an unknown predicate. */
export class SkbQueryError extends SkbError {
  override name = "SkbQueryError";
  constructor(readonly term: string) {
    super(`uncaught exception: ${term}`);
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
