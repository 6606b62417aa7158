import { describe, expect, it } from "vitest";
import { MachineError, parseLatencyCsv } from "../../src/hwmodel/index.ts";

describe("measured latency matrices from CSV", () => {
  it("reads a full matrix", () => {
    expect(parseLatencyCsv("0,10,20\n10,0,30\n20,30,0\n")).toEqual([[0, 10, 20], [10, 0, 30], [20, 30, 0]]);
  });

  it("reads a header row, an index column, blank diagonal cells and a lower triangle", () => {
    const text = ",0,1,2\n0,\n1,10\n2,20,30\n";
    expect(parseLatencyCsv(text)).toEqual([[0, 10, 20], [10, 0, 30], [20, 30, 0]]);
  });

  it("reads whitespace-separated tables as the tools print them", () => {
    expect(parseLatencyCsv("   0   1\n0\n1  42\n")).toEqual([[0, 42], [42, 0]]);
  });

  it("names the cell that is not a number, or missing", () => {
    expect(() => parseLatencyCsv("0,x\n1,0")).toThrowError(MachineError);
    expect(() => parseLatencyCsv("0,x\n1,0")).toThrowError(/latencyMatrix\[0\]\[1\]: "x" is not a non-negative number/);
    expect(() => parseLatencyCsv("0,-3\n1,0")).toThrowError(/latencyMatrix\[0\]\[1\]/);
    expect(() => parseLatencyCsv("0,,\n,0,\n,,0")).toThrowError(/latencyMatrix\[0\]\[1\]: missing value/);
    expect(() => parseLatencyCsv("")).toThrowError(/empty/);
  });
});
