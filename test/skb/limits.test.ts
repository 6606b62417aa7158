// What a query may cost: the hostile queries of issue 13, each stopped by a
// bound with a clear error. How soon they stop is measured by `npm run bench
// -- --only skb`; here the budgets are set so that the bound that stops each
// one is the same on any machine.
import { describe, expect, it } from "vitest";
import { preset } from "../../src/hwmodel/index.ts";
import { MAX_ANSWER_DEPTH, SkbLimitError, SkbQueryError, SkbSyntaxError, SystemKnowledgeBase } from "../../src/skb/index.ts";
import { PrologEngine } from "../../src/skb/prolog.ts";
import { rejection } from "./helpers.ts";

/** `first, link(1), ..., link(n)`. */
const chain = (first: string, n: number, link: (i: number) => string) => [first, ...Array.from({ length: n }, (_, i) => link(i + 1))].join(", ");
const doubling = (first: string) => chain(first, 30, (i) => `X${i} = f(X${i - 1},X${i - 1})`);
/** A budget of cells, and time enough that the cells run out first. */
const CELLS = { maxCells: 100_000, maxMs: 600_000 };

describe("what a query may cost", () => {
  const kb = SystemKnowledgeBase.for(preset("amd-8x4")!);
  const limit = async (text: string, limits = {}) => {
    const e = await rejection((await kb).query(text, limits));
    expect(e).toBeInstanceOf(SkbLimitError);
    return e as SkbLimitError;
  };

  it("a 600-byte chain of terms that double stops at the cells it builds", async () => {
    const text = doubling("true");
    expect(text.length).toBeLessThan(620);
    const e = await limit(text, CELLS);
    expect(e).toMatchObject({ limit: "cells", max: 100_000 });
    expect(e.message).toMatch(/^query stopped after building 100000 term cells \(maxCells\)/);
  });

  it("so does a recursive predicate that builds such a term; a query may not assert one", async () => {
    const engine = new PrologEngine("grow(0, X, X).\ngrow(N, X, Y) :- N > 0, M is N - 1, grow(M, f(X, X), Y).");
    expect(await rejection(engine.query("grow(30, _, T)", CELLS))).toMatchObject({ limit: "cells" });
    const a = { functor: "f", args: ["a", "a"] };
    expect((await engine.query("grow(2, a, T)")).answers).toEqual([{ T: { functor: "f", args: [a, a] } }]);
    const asserted = "assertz(grow(0, X, X)), assertz((grow(N, X, Y) :- N > 0, M is N - 1, grow(M, f(X, X), Y))), grow(30, _, T)";
    expect(await rejection((await kb).query(asserted))).toMatchObject({ term: "error(permission_error(call,sandboxed,assertz/1),assertz/1)" });
  });

  it.each([
    ["compared", "X30 == X30"],
    ["printed", "write(X30)"],
    ["unified with its copy", `${doubling("Y0 = a").replace(/X/g, "Y")}, X30 = Y30`],
  ])("a term shared with itself, %s, stops at the time limit (it is walked, not built)", async (_, use) => {
    const e = await limit(`${doubling("X0 = a")}, ${use}`, { maxMs: 200 });
    expect(e).toMatchObject({ limit: "time", max: 200 });
  });

  it("functor/3 in a loop stops at the time limit; with assertz it is refused", async () => {
    expect(await limit("between(1, 1000000, _), functor(T, f, 65535), fail", { maxMs: 200 })).toMatchObject({ limit: "time" });
    const e = await rejection((await kb).query("between(1, 1000000, _), functor(T, f, 65535), assertz(big(T)), fail"));
    expect((e as SkbQueryError).message).toMatch(/^assertz\/1 may not be called in an SKB query/);
  });

  it("atom_concat/3 doubling an atom stops at the atom size cap; in an assert/retract loop it is refused", async () => {
    const e = await rejection((await kb).query(chain("X0 = ab", 30, (i) => `atom_concat(X${i - 1}, X${i - 1}, X${i})`)));
    expect(e).toBeInstanceOf(SkbQueryError);
    expect(e).toMatchObject({ term: "error(resource_error(memory),atom_concat/3)", message: "atom_concat/3 would build an atom of more than 1048576 characters" });
    const loop = "assertz(a(ab)), between(1, 40, _), retract(a(X)), atom_concat(X, X, Y), assertz(a(Y)), fail";
    expect(await rejection((await kb).query(loop))).toMatchObject({ term: "error(permission_error(call,sandboxed,assertz/1),assertz/1)" });
  });

  it("answers of megabytes stop at maxAnswerBytes, keeping the answers that fit", async () => {
    const big = chain("X0 = abcdefgh", 17, (i) => `atom_concat(X${i - 1}, X${i - 1}, X${i})`);
    expect(await limit(big)).toMatchObject({ limit: "answerBytes", max: 1 << 20, answers: [] });
    const e = await limit("between(1, 1000, X)", { maxAnswers: 1000, maxAnswerBytes: 20 });
    expect(e).toMatchObject({ limit: "answerBytes", max: 20, answers: [{ X: 1 }, { X: 2 }, { X: 3 }] });
    expect(e.message).toMatch(/passed 20 bytes of JSON \(maxAnswerBytes\)/);
  });

  it.each([
    ["f(", ")", 300],
    ["[", "]", 300],
    ["(", ")", 300],
    ["{", "}", 5000],
  ])("a query nesting %s hundreds of levels deep is a syntax error at the level past the limit", async (open, close, depth) => {
    const e = await rejection((await kb).query(`X = ${open.repeat(depth)}a${close.repeat(depth)}`));
    expect(e).toBeInstanceOf(SkbSyntaxError);
    expect(e).toMatchObject({ reason: "brackets nested more than 100 levels deep", position: { line: 1, column: 4 + 101 * open.length } });
  });

  it("a term nested thousands deep in an answer is a depth limit", async () => {
    const engine = new PrologEngine("deep(0, X, X).\ndeep(N, X, Y) :- N > 0, M is N - 1, deep(M, g(X), Y).");
    expect(await rejection(engine.query("deep(2000, a, T)", { maxMs: 600_000 }))).toMatchObject({ limit: "depth", max: MAX_ANSWER_DEPTH });
    expect((await engine.query("deep(2, a, T)")).answers).toEqual([{ T: { functor: "g", args: [{ functor: "g", args: ["a"] }] } }]);
  });

  it("a runaway query does not hold up a quick one", async () => {
    const k = await kb;
    const done: string[] = [];
    await Promise.all([
      rejection(k.query("repeat, fail", { maxSteps: 100_000_000, maxMs: 1000 })).then(() => done.push("runaway")),
      k.query("leader(1, L)").then(() => done.push("quick")),
    ]);
    expect(done).toEqual(["quick", "runaway"]);
  });
});
