import { describe, expect, it } from "vitest";
import { preset } from "../../src/hwmodel/index.ts";
import { ALLOWED_BUILTINS, SkbQueryError, SystemKnowledgeBase } from "../../src/skb/index.ts";
import pl from "tau-prolog";
import { rejection } from "./helpers.ts";

describe("what a query may not do", () => {
  const kb = SystemKnowledgeBase.for(preset("amd-2x2")!);
  const query = async (text: string) => (await kb).query(text);

  it.each([
    ["asserta(evil(1))", "asserta/1"],
    ["assertz(core(99))", "assertz/1"],
    ["retract(core(0))", "retract/1"],
    ["retractall(core(_))", "retractall/1"],
    ["abolish(core/1)", "abolish/1"],
    ["set_prolog_flag(unknown, fail)", "set_prolog_flag/2"],
    ["op(700, xfx, ===>)", "op/3"],
    ["consult('/etc/passwd')", "consult/1"],
    ["open('/etc/passwd', read, S)", "open/3"],
    ["read(T)", "read/1"],
    ["get_char(C)", "get_char/1"],
    ["set_output(user_error)", "set_output/1"],
    ["halt", "halt/0"],
    ["get_time(T)", "get_time/1"],
    ["findall(X, (member(X, [1]), assertz(x(X))), _)", "assertz/1"],
    ["G = assertz(x), call(G)", "assertz/1"],
    ["catch(assertz(x), _, true)", "catch/3"],
    ["system:assertz(x)", "assertz/1"],
  ])("%s: a permission error naming %s", async (text, builtin) => {
    const e = await rejection(query(text));
    expect(e).toBeInstanceOf(SkbQueryError);
    expect((e as SkbQueryError).term).toBe(`error(permission_error(call,sandboxed,${builtin}),${builtin})`);
    expect((e as SkbQueryError).message).toBe(`${builtin} may not be called in an SKB query: a query only reads the machine's facts and rules and writes to its output`);
  });

  it("nothing one query tried is seen by the next", async () => {
    for (const text of ["asserta(evil(1))", "set_prolog_flag(unknown, fail)", "op(700, xfx, ===>)"]) await rejection(query(text));
    expect(await rejection(query("evil(X)"))).toMatchObject({ term: "error(existence_error(procedure,evil/1),top_level/0)" });
    expect(await rejection(query("no_such(X)"))).toMatchObject({ term: "error(existence_error(procedure,no_such/1),top_level/0)" });
    expect(await rejection(query("X = (a ===> b)"))).toMatchObject({ name: "SkbSyntaxError" });
    expect((await query("findall(C, core(C), L)")).answers).toEqual([{ L: [0, 1, 2, 3] }]);
  });

  it("every query starts from the same state: the same query gives the same answer, whatever ran before", async () => {
    const first = await query("functor(T, f, 2), write(T)");
    await query("findall(X-Y, (between(1, 50, X), copy_term(f(Y, Z), _)), L), length(L, N)");
    await query("rtt(A, B, C)");
    expect(await query("functor(T, f, 2), write(T)")).toEqual(first);
  });

  it("every allowed builtin is one of tau-prolog's", () => {
    for (const b of ALLOWED_BUILTINS) expect(pl.builtin.rules, b).toHaveProperty([b]);
  });

  it("the allowed builtins answer as usual", async () => {
    const text = "msort([c, a, b], S), atom_length(abc, N), sub_atom(hello, 1, 3, _, Sub), X is 2 ** 10, \\+ core(9), findall(C, (core(C), C > 1), Cs)";
    expect((await query(text)).answers).toEqual([{ S: ["a", "b", "c"], N: 3, Sub: "ell", X: 1024, Cs: [2, 3] }]);
  });
});

describe("what a query prints", () => {
  const kb = SystemKnowledgeBase.for(preset("amd-2x2")!);

  it("comes back with the answers", async () => {
    const result = await (await kb).query("leader(1, L), write(leader(L)), nl, write(user_error, x)");
    expect(result).toEqual({ answers: [{ L: 2 }], truncated: false, output: "leader(2)\nx", outputTruncated: false });
  });

  it("up to 64 KiB, and says so past that", async () => {
    const line = "abcdefghi\n".repeat(10);
    const result = await (await kb).query(`between(1, 1000, _), write('${line.replace(/\n/g, "\\n")}'), fail`, { maxMs: 600_000 });
    expect(result.output).toBe(line.repeat(1000).slice(0, 65536));
    expect(result.outputTruncated).toBe(true);
  });
});
