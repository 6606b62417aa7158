// Agreement among monitors over a routing tree: the initiator's request goes
// down the SKB's tree, every monitor acts on it and the answers are
// aggregated back up, each inner node replying once for its subtree. This is
// the one-phase commit of unmap; two-phase commit runs it twice (prepare,
// then commit or abort). Broadcast trees use one shared channel down and
// point-to-point channels back. Where each channel's rings live is the SKB's
// choice (a tree edge's bufferAt), made when the run sets its channels up.
import type { Context, Json } from "../engine/index.ts";
import type { Route } from "./routes.ts";
import type { Vote } from "./replica.ts";
import type { UrpcChannels } from "./urpc.ts";

export type Round<D extends Json = Json> = {
  /** Operation id, unique in the run: `<initiator>:<n>`. */
  op: string;
  phase: string;
  /** The routing tree it travels along: its kind, rooted at the initiator. */
  kind: string;
  root: number;
  data: D;
};

export interface Phase<D extends Json = Json> {
  /** The action at every monitor the round reaches, the initiator included; its vote. */
  act(ctx: Context, round: Round<D>): Vote;
  /** At the initiator, once every monitor has answered. */
  complete(ctx: Context, round: Round<D>, vote: Vote): void;
}

/** A round waiting here for its subtree's answers, by operation. */
type Pending = {
  round: Round;
  parent: number | null;
  awaiting: number;
  vote: Vote;
};

export type AgreementState = {
  pending: Record<string, Pending>;
  rounds: number;
};

export const AGREE = "agree";
export const AGREE_ACK = "agree-ack";

export class Agreement {
  /**
   * Rounds waiting here: a list while running (a monitor waits on a handful
   * at most, and a Map's deletions cost more than a short scan), a plain
   * object by operation when persisted.
   */
  private readonly pending: Pending[];
  private rounds: number;

  constructor(
    private readonly core: number,
    private readonly urpc: UrpcChannels,
    private readonly routes: Map<string, Map<number, Route>>,
    private readonly phases: Record<string, Phase>,
    s: AgreementState = { pending: {}, rounds: 0 },
  ) {
    this.pending = Object.values(s.pending);
    this.rounds = s.rounds;
  }

  /** Rounds this monitor is part of and still waiting on: while there are any it spins rather than blocks. */
  get busy(): boolean {
    return this.pending.length > 0;
  }

  get inFlight(): number {
    return this.pending.length;
  }

  snapshot(): AgreementState {
    return { pending: Object.fromEntries(this.pending.map((p) => [p.round.op, p])), rounds: this.rounds };
  }

  start(ctx: Context, round: Omit<Round, "root">): void {
    this.rounds++;
    this.enter(ctx, { op: round.op, phase: round.phase, kind: round.kind, root: this.core, data: round.data }, null);
  }

  /** A request arrived from the parent in the tree. */
  request(ctx: Context, src: number, round: Round): void {
    this.enter(ctx, round, src);
  }

  /** A subtree's answer arrived. */
  answer(ctx: Context, op: string, phase: string, vote: Vote): void {
    const i = this.pending.findIndex((w) => w.round.op === op);
    const p = this.pending[i];
    if (!p || p.round.phase !== phase) throw new Error(`core ${this.core}: answer for unknown round ${op}/${phase}`);
    p.awaiting--;
    if (p.vote.ok && !vote.ok) p.vote = vote;
    if (p.awaiting === 0) {
      this.pending.splice(i, 1);
      this.finish(ctx, p.round, p.parent, p.vote);
    }
  }

  private enter(ctx: Context, round: Round, parent: number | null): void {
    const route = this.routes.get(round.kind)?.get(round.root);
    if (!route) throw new Error(`core ${this.core}: no ${round.kind} tree rooted at core ${round.root}`);
    const phase = this.phase(round.phase);
    const msg = { svc: AGREE, round };
    if (round.kind === "broadcast" && route.children.length) this.urpc.broadcast(ctx, msg);
    else for (const child of route.children) this.urpc.send(ctx, child, msg);
    const vote = phase.act(ctx, round);
    if (route.children.length === 0) return this.finish(ctx, round, parent, vote);
    // One round of an operation at a time passes through a monitor: commit follows prepare.
    this.pending.push({ round, parent, awaiting: route.children.length, vote });
  }

  private finish(ctx: Context, round: Round, parent: number | null, vote: Vote): void {
    if (parent === null) return this.phase(round.phase).complete(ctx, round, vote);
    this.urpc.send(ctx, parent, { svc: AGREE_ACK, op: round.op, phase: round.phase, vote });
  }

  private phase(name: string): Phase {
    const p = this.phases[name];
    if (!p) throw new Error(`core ${this.core}: no protocol phase "${name}"`);
    return p;
  }
}
