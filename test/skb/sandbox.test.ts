import { describe, expect, it } from "vitest";
import { preset } from "../../src/hwmodel/index.ts";
import { SkbQueryError, SystemKnowledgeBase } from "../../src/skb/index.ts";

describe("what a query may not do", () => {
  const kb = SystemKnowledgeBase.for(preset("amd-2x2")!);
  const error = async (text: string) =>
    (await kb).query(text).then(
      () => undefined,
      (e: unknown) => e,
    );

  it("change the facts or the rules", async () => {
    for (const text of ["assertz(core(99))", "retract(core(0))", "assertz(rtt(0, 1, 1))"]) {
      const e = await error(text);
      expect(e).toBeInstanceOf(SkbQueryError);
      expect((e as SkbQueryError).term).toMatch(/permission_error\(modify,static_procedure/);
    }
    expect((await (await kb).query("findall(C, core(C), L)")).answers).toEqual([{ L: "[0,1,2,3]" }]);
  });

  it("build a term of any size in one step, out of the step limit's reach", async () => {
    const e = await error("functor(T, f, 100000000)");
    expect(e).toBeInstanceOf(SkbQueryError);
    expect((e as SkbQueryError).term).toMatch(/representation_error\(max_arity\)/);
    const r = await error("replicate(x, 100000000, L)");
    expect(r).toBeInstanceOf(SkbQueryError);
    expect((r as SkbQueryError).term).toMatch(/resource_error\(memory\)/);
    expect((await (await kb).query("functor(T, f, 3), replicate(x, 3, L)")).answers).toEqual([{ T: expect.stringMatching(/^f\(_\w+,_\w+,_\w+\)$/), L: "[x,x,x]" }]);
  });

  it("stop the process", async () => {
    expect((await (await kb).query("halt")).answers).toEqual([]);
    expect((await (await kb).query("halt(1)")).answers).toEqual([]);
  });

  it("read files or standard input", async () => {
    expect(await error("consult('/etc/passwd')")).toBeInstanceOf(SkbQueryError);
    expect(await error("open('/etc/passwd', read, S)")).toBeInstanceOf(SkbQueryError);
    expect((await (await kb).query("read(T)")).answers).toEqual([{ T: "end_of_file" }]);
  });

  it("write to the host's output: what it prints comes back with the answers", async () => {
    const result = await (await kb).query("leader(1, L), write(leader(L)), nl");
    expect(result).toEqual({ answers: [{ L: "2" }], truncated: false, output: "leader(2)\n" });
  });
});
