import { describe, expect, it } from "vitest";
import { preset } from "../../src/hwmodel/index.ts";
import { SystemKnowledgeBase, termText, type AnswerTerm } from "../../src/skb/index.ts";

describe("answers come back typed", () => {
  const kb = SystemKnowledgeBase.for(preset("amd-2x2")!);
  const value = async (term: string) => (await (await kb).query(`X = ${term}`)).answers[0].X;

  it.each<[string, AnswerTerm]>([
    ["8", 8],
    ["-3", -3],
    ["2.5", 2.5],
    ["abc", "abc"],
    ["'Hello world'", "Hello world"],
    ["'8'", "8"],
    ["[]", []],
    ["[1, a, [b]]", [1, "a", ["b"]]],
    ["\"ab\"", ["a", "b"]],
    ["f(a, 1)", { functor: "f", args: ["a", 1] }],
    ["1-to(2, 452, 0)", { functor: "-", args: [1, { functor: "to", args: [2, 452, 0] }] }],
    ["[a|b]", { functor: ".", args: ["a", "b"] }],
  ])("%s is %j", async (term, expected) => {
    expect(await value(term)).toEqual(expected);
  });

  it("an unbound variable inside a term is {var}; a variable left unbound is left out", async () => {
    const [answer] = (await (await kb).query("X = f(Y, Z, Y)")).answers;
    expect(Object.keys(answer)).toEqual(["X"]);
    const [y, z, y2] = (answer.X as { args: { var: string }[] }).args;
    expect(y).toEqual({ var: expect.any(String) });
    expect(y2).toEqual(y);
    expect(z.var).not.toBe(y.var);
  });

  it.each(["8", "-3", "2.5", "abc", "'Hello world'", "'it''s'", "[]", "[1, a, [b]]", "f(a, 1)", "1-to(2, 452, 0)", "'Foo'(x)", "[a|b]", "{a}"])(
    "termText(%s) reads back as the same term",
    async (term) => {
      const json = await value(term);
      expect(await value(termText(json))).toEqual(json);
    },
  );
});
