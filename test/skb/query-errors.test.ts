import { describe, expect, it } from "vitest";
import { preset } from "../../src/hwmodel/index.ts";
import { SkbFieldError, SkbLimitError, SkbQueryError, SkbSyntaxError, SystemKnowledgeBase } from "../../src/skb/index.ts";

const rejection = (p: Promise<unknown>) =>
  p.then(
    () => {
      throw new Error("expected the query to fail");
    },
    (e: unknown) => e,
  );

describe("query errors", () => {
  const kb = SystemKnowledgeBase.for(preset("amd-8x4")!);

  it.each([
    ["rtt(0, B", 1, 9],
    ["rtt(0, B) )", 1, 11],
    ["X = f(1,\n  2 ]", 2, 5],
    ["core(X) % no end\n, foo(", 2, 7],
  ])("a malformed query %j is a syntax error at line %i, column %i", async (text, line, column) => {
    const e = await rejection((await kb).query(text));
    expect(e).toBeInstanceOf(SkbSyntaxError);
    expect((e as SkbSyntaxError).position).toEqual({ line, column });
  });

  it("two goals are a syntax error at the second", async () => {
    const e = await rejection((await kb).query("core(X).\n  core(Y)."));
    expect(e).toBeInstanceOf(SkbSyntaxError);
    expect((e as SkbSyntaxError).position).toEqual({ line: 2, column: 3 });
  });

  it("an empty query is a syntax error", async () => {
    expect(await rejection((await kb).query("   "))).toBeInstanceOf(SkbSyntaxError);
  });

  it.each([
    ["loop :- loop.", "assertz((loop :- loop)), loop"],
    ["an unbounded length/2", "length(L, N), N < 0"],
    ["repeat", "repeat, fail"],
  ])("a runaway query (%s) stops at the step limit", async (_, text) => {
    const e = await rejection((await kb).query(text, { maxSteps: 2_000, maxMs: 60_000 }));
    expect(e).toBeInstanceOf(SkbLimitError);
    expect(e).toMatchObject({ limit: "steps", max: 2_000 });
  });

  it("keeps the answers found before the limit", async () => {
    const e = await rejection((await kb).query("member(X, [1, 2, 3, 4]), (X > 3 -> repeat, fail ; true)", { maxSteps: 2_000, maxMs: 60_000 }));
    expect((e as SkbLimitError).answers).toEqual([{ X: "1" }, { X: "2" }, { X: "3" }]);
  });

  it("a heavy query stops at the time limit", async () => {
    const e = await rejection((await kb).query("length(L, N), N < 0", { maxSteps: 100_000_000, maxMs: 1 }));
    expect(e).toBeInstanceOf(SkbLimitError);
    expect((e as SkbLimitError).limit).toBe("time");
  });

  it("an unknown predicate is an uncaught existence error", async () => {
    const e = await rejection((await kb).query("no_such(X)"));
    expect(e).toBeInstanceOf(SkbQueryError);
    expect((e as SkbQueryError).term).toBe("error(existence_error(procedure,no_such/1),top_level/0)");
  });

  it.each([
    ["maxSteps", { maxSteps: 0 }],
    ["maxMs", { maxMs: -1 }],
    ["maxAnswers", { maxAnswers: 1.5 }],
  ])("a bad limit names %s", async (field, limits) => {
    const e = await rejection((await kb).query("true", limits));
    expect(e).toBeInstanceOf(SkbFieldError);
    expect((e as SkbFieldError).field).toBe(field);
  });

  it("the engine answers again after an error", async () => {
    await rejection((await kb).query("repeat, fail", { maxSteps: 1000 }));
    expect((await (await kb).query("leader(0, L)")).answers).toEqual([{ L: "0" }]);
  });
});
