// `npm start`'s flags: read whole before anything starts, each bad one named.
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { parseServeFlags, SERVE_USAGE } from "../../src/cli/serve-flags.ts";

const parse = (...args: string[]) => parseServeFlags(args, { ip: "localhost" });

describe("npm start's flags", () => {
  it("as wrangler dev spells them, with = or a separate value; --var repeats", () => {
    expect(parse("--port", "8799", "--ip=0.0.0.0", "--persist-to", "state", "--var", "A:1", "--var=B:x:y")).toEqual({
      ip: "0.0.0.0",
      port: 8799,
      state: resolve("state"),
      vars: { A: "1", B: "x:y" },
    });
  });

  it("defaults: port 8787, the front's address, a state directory of its own", () => {
    const f = parse();
    expect(f).toMatchObject({ ip: "localhost", port: 8787, vars: {} });
    expect((f as { state: string }).state).not.toBe("");
  });

  it("--help (or -h) wherever it is, even beside a bad flag", () => {
    expect(parse("--port", "1", "--help")).toBe("help");
    expect(parse("-h", "--nope")).toBe("help");
    expect(SERVE_USAGE).toMatch(/--persist-to <dir>/);
  });

  it("each bad flag named, with the reason", () => {
    expect(parse("--nope")).toEqual({ error: "--nope: npm start takes --port, --ip, --persist-to <dir>, --var NAME:VALUE and --help" });
    expect(parse("--port")).toEqual({ error: "--port: needs a value" });
    expect(parse("--port", "abc")).toEqual({ error: '--port: "abc" is not a port' });
    expect(parse("--port", "70000")).toEqual({ error: '--port: "70000" is not a port' });
    expect(parse("--port", "1e3")).toEqual({ error: '--port: "1e3" is not a port' });
    expect(parse("--var", "NOVALUE")).toEqual({ error: '--var: must be NAME:VALUE, got "NOVALUE"' });
  });
});
