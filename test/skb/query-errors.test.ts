import { describe, expect, it } from "vitest";
import { preset } from "../../src/hwmodel/index.ts";
import { SkbFieldError, SkbLimitError, SkbQueryError, SkbSyntaxError, SystemKnowledgeBase } from "../../src/skb/index.ts";
import { rejection } from "./helpers.ts";

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
    ["a failure-driven loop", "between(1, 1000000000, _), fail"],
    ["an unbounded length/2", "length(L, N), N < 0"],
    ["repeat", "repeat, fail"],
  ])("a runaway query (%s) stops at the step limit", async (_, text) => {
    const e = await rejection((await kb).query(text, { maxSteps: 2_000, maxMs: 60_000 }));
    expect(e).toBeInstanceOf(SkbLimitError);
    expect(e).toMatchObject({ limit: "steps", max: 2_000 });
  });

  it("keeps the answers found before the limit", async () => {
    const e = await rejection((await kb).query("member(X, [1, 2, 3, 4]), (X > 3 -> repeat, fail ; true)", { maxSteps: 2_000, maxMs: 60_000 }));
    expect((e as SkbLimitError).answers).toEqual([{ X: 1 }, { X: 2 }, { X: 3 }]);
  });

  it("a heavy query stops at the time limit", async () => {
    const e = await rejection((await kb).query("length(L, N), N < 0", { maxSteps: 100_000_000, maxMs: 1 }));
    expect(e).toBeInstanceOf(SkbLimitError);
    expect((e as SkbLimitError).limit).toBe("time");
  });

  const KNOWN =
    "core/1, core_cache/2, core_clock/2, core_die/2, core_package/2, die/2, die_clock/2, forwarder/2, hops/3, hops_row/2, leader/2, link/2, machine/5, package/1, package_cores/2, " +
    "package_cores_by_clock/2, package_forwarder/3, package_index/2, route/3, route/4, rtt/3, rtt_row/2, rtt_slot/2, rtt_source/1, shared_cache/3, shares_cache/3";

  it("an unknown predicate is said so, with the predicates the SKB knows; the ISO term stays for programs", async () => {
    const e = await rejection((await kb).query("no_such(X)"));
    expect(e).toBeInstanceOf(SkbQueryError);
    expect((e as SkbQueryError).message).toBe(`unknown predicate no_such/1; the SKB knows: ${KNOWN}`);
    expect((e as SkbQueryError).term).toBe("error(existence_error(procedure,no_such/1),top_level/0)");
    expect(await rejection((await kb).query("rtt(0, B)"))).toMatchObject({ message: `unknown predicate rtt/2 (the SKB has rtt/3); the SKB knows: ${KNOWN}` });
  });

  it.each([
    ["X is foo + 1", "foo/0 is not an arithmetic function in is/2", "error(type_error(evaluable,foo/0),is/2)"],
    ["X is 1 / 0", "arithmetic error in is/2: division by zero", "error(evaluation_error(zero_divisor),is/2)"],
    ["atom_length(X, N)", "a variable is unbound where a value is needed in atom_length/2", "error(instantiation_error,atom_length/2)"],
    ["atom_length(f(x), N)", "expected atom, got f(x) in atom_length/2", "error(type_error(atom,f(x)),atom_length/2)"],
    ["functor(T, f, 100000000)", "a term may have at most 65535 arguments in functor/3", "error(representation_error(max_arity),functor/3)"],
    ["atom_codes(A, [0'a|T])", "a variable is unbound where a value is needed in atom_codes/2", "error(instantiation_error,atom_codes/2)"],
    ["throw(my_ball)", "uncaught exception: my_ball", "my_ball"],
  ])("%j: %s", async (text, message, term) => {
    expect(await rejection((await kb).query(text))).toMatchObject({ name: "SkbQueryError", message, term });
  });

  it.each([
    ["maxSteps", { maxSteps: 0 }],
    ["maxMs", { maxMs: -1 }],
    ["maxAnswers", { maxAnswers: 1.5 }],
    ["maxCells", { maxCells: 0 }],
    ["maxAnswerBytes", { maxAnswerBytes: Number.NaN }],
  ])("a bad limit names %s", async (field, limits) => {
    const e = await rejection((await kb).query("true", limits));
    expect(e).toBeInstanceOf(SkbFieldError);
    expect((e as SkbFieldError).field).toBe(field);
  });

  it("the engine answers again after an error", async () => {
    await rejection((await kb).query("repeat, fail", { maxSteps: 1000 }));
    expect((await (await kb).query("leader(0, L)")).answers).toEqual([{ L: 0 }]);
  });
});
