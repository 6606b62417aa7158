import { describe, expect, it } from "vitest";
import { ENDPOINT_MESSAGES } from "../../src/cpudriver/index.ts";
import type { Json } from "../../src/json.ts";
import { PRESET_NAMES } from "../../src/hwmodel/index.ts";
import { bootCore, codeOf, costOf } from "./boot.ts";


/** Domains 1 (client) and 2 (server); the server mints an EndPoint and gives the client a copy. */
function clientServer(cost = costOf()) {
  const { cpu, caps } = bootCore(2, cost);
  const [ep] = cpu.retype(2, caps[1].dispatcher, "EndPoint", 0, 1).refs;
  const clientEp = cpu.copy(2, ep, 1).ref;
  return { cpu, caps, ep, clientEp };
}

describe("LRPC cost", () => {
  it.each(PRESET_NAMES)("one way on %s is cost.lrpc()", (name) => {
    const cost = costOf(name);
    const { cpu, clientEp } = clientServer(cost);
    cpu.schedule();
    expect(cpu.lrpc(1, clientEp, "ping")).toEqual({ cost: cost.lrpc(), target: 2 });
    expect(cpu.syscall(1, { op: "lrpc", ep: clientEp, payload: [1, 2] }).cost).toBe(cost.lrpc());
  });
});

describe("LRPC delivery", () => {
  it("queues the message at the target's endpoint and switches to the target", () => {
    const { cpu, clientEp } = clientServer();
    expect(cpu.schedule().running).toBe(1);
    cpu.lrpc(1, clientEp, { n: 1 });
    expect(cpu.scheduler.current).toBe(2);
    cpu.lrpc(1, clientEp, { n: 2 });
    expect(cpu.receive(2)).toEqual({ cost: 0, message: { from: 1, payload: { n: 1 } } });
    expect(cpu.receive(2).message?.payload).toEqual({ n: 2 });
    expect(cpu.receive(2).message).toBeNull();
  });

  it("wakes a blocked target", () => {
    const { cpu, clientEp } = clientServer();
    cpu.block(2);
    cpu.lrpc(1, clientEp, null);
    expect(cpu.scheduler.get(2).state).toBe("runnable");
    expect(cpu.scheduler.current).toBe(2);
  });

  it("copies the payload: the sender's later changes do not reach the receiver", () => {
    const { cpu, clientEp } = clientServer();
    const payload: { words: Json[] } = { words: [1, 2, 3] };
    cpu.lrpc(1, clientEp, payload);
    payload.words.push(4);
    expect(cpu.receive(2).message?.payload).toEqual({ words: [1, 2, 3] });
  });

  it(`holds at most ${ENDPOINT_MESSAGES} messages per endpoint buffer`, () => {
    const { cpu, clientEp } = clientServer();
    for (let i = 0; i < ENDPOINT_MESSAGES; i++) cpu.lrpc(1, clientEp, i);
    expect(codeOf(() => cpu.lrpc(1, clientEp, "one too many"))).toBe("endpoint_full");
    cpu.receive(2);
    expect(cpu.lrpc(1, clientEp, "fits").target).toBe(2);
  });
});

describe("LRPC endpoint checks", () => {
  it("needs an EndPoint cap", () => {
    const { cpu, caps } = clientServer();
    expect(codeOf(() => cpu.lrpc(1, caps[0].frames[0], 0))).toBe("type_mismatch");
    expect(codeOf(() => cpu.lrpc(1, caps[0].dispatcher, 0))).toBe("type_mismatch");
  });

  it("held by the sender", () => {
    const { cpu, ep } = clientServer();
    expect(codeOf(() => cpu.lrpc(1, ep, 0))).toBe("no_such_cap"); // the server's own copy
    expect(codeOf(() => cpu.lrpc(1, 999, 0))).toBe("no_such_cap");
  });

  it("from a sender with a dispatcher on this core", () => {
    const { cpu, ep } = clientServer();
    const stray = cpu.copy(2, ep, 9).ref;
    expect(codeOf(() => cpu.lrpc(9, stray, 0))).toBe("no_such_dispatcher");
  });

  it("to a dispatcher on this core: LRPC is core-local", () => {
    const { cpu } = clientServer();
    const remote = cpu.insertCap({ type: "EndPoint", base: 0x7000_0000, size: 1024 }, 1).ref;
    expect(codeOf(() => cpu.lrpc(1, remote, 0))).toBe("no_such_dispatcher");
  });

  it("and revoking the server's dispatcher cap takes every endpoint away", () => {
    const { cpu, caps, clientEp } = clientServer();
    const r = cpu.revoke(2, caps[1].dispatcher);
    expect(r.revoked).toHaveLength(2);
    expect(r.cost).toBe(costOf().trap() + 2 * costOf().localLineUpdate());
    expect(codeOf(() => cpu.lrpc(1, clientEp, 0))).toBe("no_such_cap");
  });
});
