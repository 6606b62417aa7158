// A small kernel for engine tests: a token passes round the cores `laps`
// times; each hop costs `work` cycles and a message of `delay` cycles.
import { EventClass, type Context, type Json, type Kernel, type SimEvent, type System } from "../../src/engine/index.ts";

class TokenKernel implements Kernel {
  constructor(
    private readonly core: number,
    private readonly o: ToyOptions,
    private state: { seen: number[] } = { seen: [] },
  ) {}

  handle(e: SimEvent, ctx: Context): void {
    const lap = (e.data as { lap: number }).lap;
    this.state.seen.push(ctx.now);
    ctx.charge(this.o.work);
    const next = (this.core + 1) % this.o.cores;
    const nextLap = next === 0 ? lap + 1 : lap;
    if (nextLap < this.o.laps) ctx.send(next, "token", { lap: nextLap }, this.o.delay);
  }

  snapshot(): Json {
    return this.state;
  }

  result(): Json {
    return this.state.seen;
  }
}

export interface ToyOptions {
  cores: number;
  laps: number;
  work: number;
  delay: number;
  lookahead?: number;
}

export function tokenRing(o: ToyOptions): System {
  return {
    cores: o.cores,
    lookahead: o.lookahead ?? o.delay,
    boot: (core) => new TokenKernel(core, o),
    restore: (core, state) => new TokenKernel(core, o, state as { seen: number[] }),
    initial: (core) => (core === 0 ? [{ time: 0, cls: EventClass.Control, src: -1, seq: 0, kind: "token", data: { lap: 0 } }] : []),
  };
}
