import { describe, expect, it } from "vitest";
import { upcallCost } from "../../src/cpudriver/index.ts";
import { MiB, bootCore, bootDomain, codeOf, costOf } from "./boot.ts";

const cost = costOf("intel-2x4");
const dispatch = cost.trap() + upcallCost(cost);


describe("round robin", () => {
  it("runs the runnable dispatchers in creation order, each upcall costing a trap plus the user-level path", () => {
    const { cpu } = bootCore(3, cost);
    const ran = Array.from({ length: 7 }, () => cpu.schedule());
    expect(ran.map((r) => r.running)).toEqual([1, 2, 3, 1, 2, 3, 1]);
    for (const r of ran) expect(r.cost).toBe(dispatch);
    expect(upcallCost(cost)).toBe(cost.lrpc() - cost.trap());
  });

  it("skips blocked dispatchers and resumes them once unblocked", () => {
    const { cpu } = bootCore(3, cost);
    expect(cpu.block(2)).toEqual({ cost: cost.trap(), running: null }); // 2 was not running
    expect([1, 2, 3, 4].map(() => cpu.schedule().running)).toEqual([1, 3, 1, 3]);
    expect(cpu.takeIpi(2)).toEqual({ cost: cost.ipiTrap(), running: 3 }); // a running core just takes it
    expect([1, 2, 3].map(() => cpu.schedule().running)).toEqual([1, 2, 3]);
  });

  it("blocking the running dispatcher hands the core to the next one", () => {
    const { cpu } = bootCore(3, cost);
    cpu.schedule();
    expect(cpu.block(1)).toEqual({ cost: dispatch, running: 2 });
    expect(cpu.syscall(2, { op: "block" })).toEqual({ cost: dispatch, running: 3 });
    expect(cpu.syscall(3, { op: "yield" })).toEqual({ cost: dispatch, running: 3 });
  });

  it("idles when nothing is runnable, and an IPI that wakes a dispatcher runs it", () => {
    const { cpu } = bootCore(2, cost);
    cpu.schedule();
    cpu.block(2);
    expect(cpu.block(1)).toEqual({ cost: cost.trap(), running: null });
    expect(cpu.schedule()).toEqual({ cost: cost.trap(), running: null });
    expect(cpu.scheduler.current).toBeNull();
    expect(cpu.takeIpi()).toEqual({ cost: cost.ipiTrap(), running: null });
    expect(cpu.takeIpi(2)).toEqual({ cost: cost.ipiTrap() + upcallCost(cost), running: 2 });
    expect(cpu.scheduler.get(1).state).toBe("blocked");
  });
});

describe("dispatchers", () => {
  it("are one per domain per core, each from its own Dispatcher and VNode caps", () => {
    const { cpu, caps } = bootCore(1, cost);
    expect(cpu.scheduler.get(1)).toMatchObject({ domain: 1, core: 0, state: "runnable", endpoint: [] });
    const again = cpu.insertCap({ type: "RAM", base: 8 * MiB, size: MiB }, 1).ref;
    const [d, v] = cpu.retype(1, again, "RAM", MiB / 2, 2).refs;
    const [disp] = cpu.retype(1, d, "Dispatcher", 1024, 1).refs;
    const [vnode] = cpu.retype(1, v, "VNode", 4096, 1).refs;
    expect(codeOf(() => cpu.spawn(1, disp, vnode))).toBe("dispatcher_exists");
    cpu.copy(1, caps[0].dispatcher, 2);
    cpu.copy(1, vnode, 2);
    const held = cpu.cspace.refs().filter((r) => cpu.cspace.lookup(r).holder === 2);
    expect(codeOf(() => cpu.spawn(2, held[0], held[1]))).toBe("in_use"); // a copy of a live dispatcher's cap
    expect(codeOf(() => cpu.spawn(2, held[1], held[0]))).toBe("type_mismatch");
    expect(codeOf(() => cpu.spawn(3, disp, vnode))).toBe("no_such_cap"); // domain 3 holds neither
  });

  it("keep their caps alive", () => {
    const { cpu, caps } = bootCore(1, cost);
    expect(codeOf(() => cpu.delete(1, caps[0].dispatcher))).toBe("in_use");
    expect(codeOf(() => cpu.delete(1, caps[0].vnode))).toBe("in_use");
  });

  it("start on the core they were spawned on", () => {
    const { cpu } = bootCore(0, cost, 5);
    bootDomain(cpu, 42, 3 * MiB);
    expect(cpu.scheduler.get(42).core).toBe(5);
    expect(codeOf(() => cpu.block(7))).toBe("no_such_dispatcher");
  });
});
