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

type RoundState = { round: number; answers: number; seen: number[] };

/** Core 0 messages every other core at once, each answers after `work` cycles times its number, and once all have, the next of `rounds` starts. */
class RoundKernel implements Kernel {
  constructor(
    private readonly core: number,
    private readonly o: RoundOptions,
    private state: RoundState = { round: 0, answers: 0, seen: [] },
  ) {}

  handle(e: SimEvent, ctx: Context): void {
    this.state.seen.push(ctx.now);
    if (this.core !== 0) {
      ctx.charge(this.o.work * this.core);
      ctx.send(0, "answer", null, this.o.delay);
      return;
    }
    if (e.kind === "answer" && ++this.state.answers < this.o.cores - 1) return;
    if (e.kind === "answer") this.state = { ...this.state, round: this.state.round + 1, answers: 0 };
    if (this.state.round >= this.o.rounds) return;
    for (let c = 1; c < this.o.cores; c++) ctx.send(c, "ask", null, this.o.delay);
  }

  snapshot(): Json {
    return this.state;
  }

  result(): Json {
    return this.state.seen;
  }
}

export interface RoundOptions {
  cores: number;
  rounds: number;
  work: number;
  delay: number;
}

export function rounds(o: RoundOptions): System {
  return {
    cores: o.cores,
    lookahead: o.delay,
    boot: (core) => new RoundKernel(core, o),
    restore: (core, state) => new RoundKernel(core, o, state as RoundState),
    initial: (core) => (core === 0 ? [{ time: 0, cls: EventClass.Control, src: -1, seq: 0, kind: "start", data: null }] : []),
  };
}
