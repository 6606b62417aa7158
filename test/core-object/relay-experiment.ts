// A small experiment for the durable engine's tests, which only the test
// worker's objects know (test/worker.ts). Every core starts with a token (or the first
// `tokens` cores do), and each token is passed `stride` cores on, `hops` times: all cores
// are busy in every window, so the barrier tree is as wide and deep as the core count makes
// it; with one token, one core at a time is. `failAt` makes one core's
// kernel throw at its n-th token; `spray` makes core 0 message many cores.
import { z } from "zod";
import { EventClass, type Context, type Json, type Kernel, type SimEvent, type System } from "../../src/engine/index.ts";
import { EXPERIMENTS, type Experiment, type SimulationSpec } from "../../src/experiments/index.ts";
import { preset } from "../../src/hwmodel/index.ts";

const Params = z.strictObject({
  /** Times each token is passed on. */
  hops: z.number().int().min(0),
  stride: z.number().int().min(1).default(1),
  work: z.number().int().min(0).default(7),
  delay: z.number().int().min(1).default(100),
  failAt: z.object({ core: z.number().int(), token: z.number().int() }).optional(),
  /** Cores that start with a token, from core 0; every one when left out. */
  tokens: z.number().int().min(1).optional(),
  /** Core 0 also sends its first token, as a last hop, to this many other cores: a wide fan-out of deliveries. */
  spray: z.number().int().min(0).default(0),
});
type Params = z.infer<typeof Params>;

class RelayKernel implements Kernel {
  constructor(
    private readonly core: number,
    private readonly cores: number,
    private readonly p: Params,
    private readonly s: { seen: number[] } = { seen: [] },
  ) {}

  handle(e: SimEvent, ctx: Context): void {
    const hop = (e.data as { hop: number }).hop;
    this.s.seen.push(ctx.now);
    if (this.p.failAt?.core === this.core && this.p.failAt.token === this.s.seen.length) throw new Error(`token ${this.s.seen.length} refused`);
    ctx.charge(this.p.work + (this.core % 3));
    const last = this.p.hops;
    if (hop < last) ctx.send((this.core + this.p.stride) % this.cores, "token", { hop: hop + 1 }, this.p.delay + this.core);
    if (this.core === 0 && hop === 0) for (let c = 1; c <= this.p.spray; c++) ctx.send(c, "token", { hop: last }, this.p.delay);
  }

  snapshot(): Json {
    return this.s;
  }

  result(): Json {
    return this.s.seen;
  }
}

export const relay: Experiment<Params> = {
  name: "test-relay",
  summary: "tokens relayed round all cores (durable engine tests)",
  defaultMachine: "amd-8x4",
  params: Params,
  plan: () => [],
  system(spec: SimulationSpec): System {
    const p = Params.parse(spec.params);
    return {
      cores: spec.cores,
      lookahead: p.delay,
      boot: (core) => new RelayKernel(core, spec.cores, p),
      restore: (core, state) => new RelayKernel(core, spec.cores, p, state as { seen: number[] }),
      initial: (core) => (core < (p.tokens ?? spec.cores) ? [{ time: core % 5, cls: EventClass.Control, src: -1, seq: core, kind: "token", data: { hop: 0 } }] : []),
    };
  },
  summarize: () => ({ rows: [], series: [] }),
};

/** The experiments the test worker's objects boot from: the paper's, and the relay. */
export const TEST_EXPERIMENTS = EXPERIMENTS.with(relay);

/** A run of the relay on `cores` cores of the 32-core preset. */
export function relaySpec(cores: number, params: z.input<typeof Params>): SimulationSpec {
  return { experiment: relay.name, machine: preset("amd-8x4")!.description, cores, params: params as Json };
}
