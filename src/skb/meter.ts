// What a query spends inside tau-prolog, metered so that one resolution step
// cannot run away with the process.
//
// A step-count limit is not enough: one step can do any amount of work.
// `X1 = f(X0,X0), X2 = f(X1,X1), ...` binds X30 to a term whose 30 levels
// share their halves, and the next step copies it out in full (2^30 cells);
// with X0 ground nothing is copied, but comparing or printing X30 walks 2^30
// cells. So the meter counts term cells built (the query's memory, bounded
// by maxCells) and cells walked (work, which with building decides when the
// clock is read), through taps on tau-prolog 0.3.4's own functions
// (modules/core.js), installed once per process:
//  - built: the Term constructor asks each argument `hasOwnProperty("ground")`
//    to decide whether the new term is ground; the term classes get a
//    counting hasOwnProperty, so every compound term built anywhere
//    (substitution, renaming, copy_term, findall, any builtin) counts;
//  - walked: the recursive walkers on Term.prototype (apply: substitution;
//    rename: clause renaming and copy_term; clone; unify; equals; compare;
//    toString: write/1; variables; search: the ancestor check of every step;
//    is_rename) count the arity of every cell they visit; Var and Num apply
//    count one (a substitution's bindings are applied every step);
//    Substitution.domain counts its length (renaming a variable lists every
//    binding); pl.unify walks both terms in a loop that tests each pair with
//    pl.type.is_variable, and pl.compare orders sort/2's elements: both count;
//  - Thread.prototype.step reads the clock, and ends a slice of steps early.
// Counting is a decrement. Every CHECK_EVERY cells, built or walked, the
// meter compares the cells built with the budget and the clock with the
// deadline, and throws Spent when one is passed: the query stops in the
// middle of its step, and its thread (never reused) is dropped. With no query
// metered the taps only count.
//
// The clock: Node and local workerd (wrangler dev, the tests) read the time
// while code runs. A deployed Worker's clock stands still until the next I/O
// (Cloudflare's timing-attack mitigation), so there steps and cells bound a
// query, and the platform's CPU limit the walking.
import "./tau-globals.ts";
import pl from "tau-prolog";
import type { Substitution, Thread, Value } from "tau-prolog";

/** Cells, built or walked, between checks of the budget and the clock: well under a millisecond of work. */
const CHECK_EVERY = 1 << 14;

/** Thrown from inside tau-prolog when a query has spent its cells or its time. */
export class Spent extends Error {
  constructor(readonly limit: "cells" | "time") {
    super(`query spent its ${limit}`);
  }
}

/** The meter of the query whose slice is running, if any; work left before its next check; cells built since the last. */
let active: Meter | undefined;
let left = CHECK_EVERY;
let built = 0;

function walked(cells: number): void {
  if ((left -= cells) < 0) check();
}

function build(): void {
  built++;
  if (--left < 0) check();
}

function check(): void {
  const cells = built;
  built = 0;
  left = CHECK_EVERY;
  active?.charge(cells);
}

/** One query's budget: cells built in all, a wall-time deadline, and slices between which it yields. */
export class Meter {
  private cells = 0;
  private sliceEnd = 0;
  private sliceCells = 0;

  constructor(
    private readonly maxCells: number,
    private readonly deadline: number,
    private readonly slice: { ms: number; cells: number },
  ) {
    this.newSlice();
  }

  /** Cells built so far. */
  get spent(): number {
    return this.cells + (active === this ? built : 0);
  }

  newSlice(): void {
    this.sliceEnd = Math.min(Date.now() + this.slice.ms, this.deadline);
    this.sliceCells = this.cells + this.slice.cells;
  }

  sliceOver(now = Date.now()): boolean {
    return now >= this.sliceEnd || this.spent >= this.sliceCells;
  }

  /**
   * Runs `body`, which drives a thread through tau-prolog, on this meter's
   * budget: Spent is thrown past it, and the thread's steps end early (after
   * the step under way) once the slice is over.
   */
  run<T>(body: () => T): T {
    check();
    active = this;
    try {
      return body();
    } finally {
      this.cells += built;
      active = undefined;
      check();
    }
  }

  charge(cells: number): void {
    this.cells += cells;
    if (this.cells > this.maxCells) throw new Spent("cells");
    if (Date.now() >= this.deadline) throw new Spent("time");
  }

  beforeStep(thread: Thread): void {
    const now = Date.now();
    if (now >= this.deadline) throw new Spent("time");
    if (this.sliceOver(now)) thread.current_limit = 0;
  }
}

type Method = (this: { args: unknown[] }, a: unknown, b: unknown, c: unknown) => unknown;

/** The taps described above; installed on import. */
function install(): void {
  const own = Object.prototype.hasOwnProperty;
  for (const cls of [pl.type.Term, pl.type.Var, pl.type.Num, pl.type.Stream]) {
    cls.prototype.hasOwnProperty = function (this: object, key: PropertyKey) {
      build();
      return own.call(this, key);
    };
  }
  const term = pl.type.Term.prototype as unknown as Record<string, Method>;
  for (const name of ["apply", "rename", "clone", "unify", "equals", "compare", "toString", "variables", "search", "is_rename"]) {
    const walk = term[name];
    // Explicit parameters, not a rest array: these run millions of times a second.
    term[name] = function (a, b, c) {
      walked(1 + this.args.length);
      return walk.call(this, a, b, c);
    };
  }
  for (const proto of [pl.type.Var.prototype, pl.type.Num.prototype] as { apply(subs: Substitution): Value }[]) {
    const apply = proto.apply;
    proto.apply = function (subs) {
      walked(1);
      return apply.call(this, subs);
    };
  }
  const substitution = pl.type.Substitution.prototype;
  const domain = substitution.domain;
  substitution.domain = function (plain) {
    const vars = domain.call(this, plain);
    walked(vars.length);
    return vars;
  };
  const isVariable = pl.type.is_variable;
  pl.type.is_variable = ((v: unknown) => {
    walked(1);
    return isVariable(v);
  }) as typeof isVariable;
  const compare = pl.compare;
  pl.compare = (a, b) => {
    walked(1);
    return compare(a, b);
  };
  const step = pl.type.Thread.prototype.step;
  pl.type.Thread.prototype.step = function (this: Thread) {
    active?.beforeStep(this);
    return step.call(this);
  };
}

install();
