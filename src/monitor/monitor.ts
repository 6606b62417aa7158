// The monitor of one core (paper, section 4.4): a user-mode domain that holds
// the core's replica of global OS state, owns the URPC channels to the other
// cores' monitors, and runs the agreement protocols over the SKB's routing
// trees: a one-phase commit for unmap, two-phase commit for retype. It asks
// its own CPU driver to act through capability invocations, and answers its
// local application by LRPC through the OS node that hosts both.
import { PAGE_BYTES, SHARED_PAGE, type Capability, type CpuDriver } from "../cpudriver/index.ts";
import type { CostModel } from "../hwmodel/index.ts";
import type { Context, Json, SimEvent } from "../engine/index.ts";
import type { Memory, Ready } from "../memory/index.ts";
import { AGREE, AGREE_ACK, Agreement, type AgreementState, type Round } from "./agreement.ts";
import { DISPATCH_LOOP_PER_OPERATION, flounderCosts } from "./flounder.ts";
import type { Completion, MonitorCore } from "./monitor-core.ts";
import { OpLog, type OpLogState } from "./oplog.ts";
import type { ReplicaGroups } from "./placement.ts";
import { Replica, type ReplicaState, type RetypeRequest, type Vote } from "./replica.ts";
import { PlacedReplicas, type PlacedState, type StateConfig, type StateProtocol } from "./replicated-state.ts";
import type { RouteTable } from "./routes.ts";
import { twoPhaseCommitPhases } from "./twopc.ts";
import { unmapPhases } from "./unmap.ts";
import { BROADCAST_KIND, URPC_KIND, UrpcChannels, type ChannelTable, type Dispatch, type UrpcMessage, type UrpcState } from "./urpc.ts";

/** The event kinds that are URPC traffic: the monitor takes them off its channels. */
export const URPC_KINDS: readonly string[] = [URPC_KIND, BROADCAST_KIND];

export type MonitorConfig = {
  /** How the monitor takes messages off its channels: Flounder and a waitset (Barrelfish), or raw UMP. */
  dispatch: Dispatch;
  /**
   * Channels set up with IPI notification (a build option of Barrelfish's,
   * used on the SCC): an idle monitor polls for `pollBudget` cycles, then
   * blocks until an IPI wakes it. null: plain UMP channels, as between the
   * monitors on x86, where the waitset never stops polling.
   */
  notification: { pollBudget: number } | null;
};

/** What every monitor of a run is booted with. */
export interface MonitorEnv {
  cost: CostModel;
  config: MonitorConfig;
  routes: RouteTable;
  /** The run's URPC channels: the routes' edges and the application's. */
  channels: ChannelTable;
  /** Capabilities every replica knows at boot, with their owners. */
  caps: readonly { cap: Capability; owner: number }[];
  /** Pages of the application mapped on every core at boot. */
  pages: number;
  /** A replicated table the application reads and writes, and the groups its replicas are placed by; none when absent. */
  state?: { config: StateConfig; groups: ReplicaGroups };
}

export type MonitorState = {
  urpc: UrpcState;
  agreement: AgreementState;
  replica: ReplicaState;
  /** Times the monitor blocked and was woken by an IPI. */
  blocks: number;
  /** Operations started here: the next one's number. */
  ops: number;
  /** The replicated table's protocol on this core, when the run has one. */
  state: PlacedState | OpLogState | null;
};

/** A monitor message: agreement traffic between monitors. */
type MonitorMessage = { svc: typeof AGREE; round: Round } | { svc: typeof AGREE_ACK; op: string; phase: string; vote: Vote };

export class Monitor implements MonitorCore {
  readonly replica: Replica;
  readonly agreement: Agreement;
  /** The replicated table's protocol, when the run has one. */
  private readonly table: StateProtocol | null;
  private readonly urpc: UrpcChannels;
  private readonly s: MonitorState;

  constructor(
    readonly core: number,
    readonly cpu: CpuDriver,
    memory: Memory,
    private readonly env: MonitorEnv,
    /** Answers the local application, by LRPC when `lrpc`. */
    private readonly reply: (ctx: Context, result: Completion, lrpc: boolean) => void,
    /** Wraps a tag of the memory system's so that its answer comes back to resume(). */
    kernelTag: (tag: Json) => Json,
    saved?: MonitorState,
  ) {
    this.replica = new Replica(saved?.replica);
    if (!saved) {
      for (const { cap, owner } of env.caps) this.replica.add(cap, owner);
      for (let i = 0; i < env.pages; i++) this.replica.map(SHARED_PAGE + i * PAGE_BYTES, i);
    }
    this.urpc = new UrpcChannels(core, memory, env.channels, env.config.dispatch === "flounder" ? flounderCosts(env.cost.machine) : null, saved?.urpc);
    this.table = tableOf(this, memory, env, kernelTag, saved?.state ?? undefined);
    this.agreement = new Agreement(core, this.urpc, env.routes.of(core), { ...unmapPhases(this), ...twoPhaseCommitPhases(this), ...this.table?.phases }, saved?.agreement);
    this.s = {
      urpc: this.urpc.snapshot(),
      agreement: this.agreement.snapshot(),
      replica: this.replica.s,
      blocks: saved?.blocks ?? 0,
      ops: saved?.ops ?? 0,
      state: this.table ? (this.table.snapshot() as PlacedState | OpLogState) : null,
    };
  }

  get cost(): CostModel {
    return this.env.cost;
  }

  /**
   * URPC traffic arrived, `idleSince` being when the core last finished a
   * handler. Returns the body of a message for the application, or undefined
   * when it was the monitor's own (agreement) or an explicit ack.
   */
  receive(ctx: Context, e: SimEvent, idleSince: number): Json | undefined {
    this.pollOrBlock(ctx, e.time - idleSince);
    const body = this.urpc.receive(ctx, e.src, e.kind, e.data as UrpcMessage);
    if (body === undefined || !isMonitorMessage(body)) return body;
    if (body.svc === AGREE) this.agreement.request(ctx, e.src, body.round);
    else this.agreement.answer(ctx, body.op, body.phase, body.vote);
    return undefined;
  }

  /** A poll of the memory system became ready: the URPC message it brings, as an event for the CPU, if it is one. */
  arrived(ready: Ready) {
    return this.urpc.arrived(ready);
  }

  /** At the end of a handler: the channels poll their next slots. */
  settle(ctx: Context): Ready[] {
    return this.urpc.settle(ctx);
  }

  /** The application's message to the application on core `dst`. */
  send(ctx: Context, dst: number, body: Json): void {
    this.urpc.send(ctx, dst, body);
  }

  /** Unmap `vaddr` on every core of the run over the routing tree `kind`; the operation's id. */
  unmap(ctx: Context, vaddr: number, kind: string): string {
    ctx.charge(DISPATCH_LOOP_PER_OPERATION);
    return this.startRound(ctx, "unmap", kind, { vaddr });
  }

  /** The bare messaging of an unmap over `kind`, with no unmap work (Figure 6). */
  shootdown(ctx: Context, kind: string): string {
    return this.startRound(ctx, "shootdown", kind, null);
  }

  /** Retype a capability in every replica by two-phase commit over `kind`. */
  retype(ctx: Context, req: RetypeRequest, kind: string): string {
    ctx.charge(DISPATCH_LOOP_PER_OPERATION);
    return this.startRound(ctx, "prepare", kind, { req, reason: null });
  }

  /** Read entry `key` of the replicated table; the operation's id, its completion's value the entry's version. */
  readState(ctx: Context, key: number): string {
    const op = `${this.core}:${this.s.ops++}`;
    this.tableOrThrow().read(ctx, op, key);
    return op;
  }

  /** Write entry `key` of the replicated table on every replica; the operation's id, its completion's value the version written. */
  writeState(ctx: Context, key: number): string {
    const op = `${this.core}:${this.s.ops++}`;
    this.tableOrThrow().write(ctx, op, key);
    return op;
  }

  /** The memory system answered a load or locked instruction of the replicated table's. */
  resume(ctx: Context, tag: Json, value: Json): void {
    this.tableOrThrow().resume(ctx, tag, value);
  }

  /** The replicated table's lines this core holds a valid copy of, with their contents: where its replicas' state is. */
  tableLines(memory: Memory): Record<string, Json> {
    if (!this.table) return {};
    return Object.fromEntries(Object.entries(memory.heldLines(this.table.prefix)).map(([line, c]) => [line, c.value]));
  }

  complete(ctx: Context, result: Completion, lrpc: boolean): void {
    this.reply(ctx, result, lrpc);
  }

  snapshot(): MonitorState {
    this.s.agreement = this.agreement.snapshot();
    return this.s;
  }

  /** What the run's results show of the monitor. */
  result() {
    return { channels: this.urpc.stats, blocks: this.s.blocks, replica: this.replica.digest() };
  }

  /** What the API shows of the monitor, for people. */
  summary() {
    return {
      channels: this.urpc.summary(),
      blocks: this.s.blocks,
      replica: { capabilities: this.replica.s.caps.length, mappings: Object.keys(this.replica.s.mappings).length },
      operationsInFlight: this.agreement.inFlight,
    };
  }

  private tableOrThrow(): StateProtocol {
    if (!this.table) throw new Error(`core ${this.core}: the run has no replicated table`);
    return this.table;
  }

  private startRound(ctx: Context, phase: string, kind: string, data: Json): string {
    const op = `${this.core}:${this.s.ops++}`;
    this.agreement.start(ctx, { op, phase, kind, data });
    return op;
  }

  /**
   * On notifying channels an idle monitor polls for the poll budget, then
   * blocks; waking it by IPI adds its cost to the message (paper, section
   * 5). A monitor in the middle of an agreement spins on its replies instead.
   */
  private pollOrBlock(ctx: Context, waited: number): void {
    const notification = this.env.config.notification;
    if (notification === null || this.agreement.busy) return;
    // The budget is counted in the core's own cycles (a polling loop), the wait in global time.
    const { added } = this.env.cost.pollingWait(waited, this.env.cost.machine.time(this.core, notification.pollBudget));
    if (!added) return;
    this.s.blocks++;
    ctx.charge(added);
  }
}

/** The replicated table's protocol on one core: node replication's log, or replicas where the placement puts them. */
function tableOf(m: Monitor, memory: Memory, env: MonitorEnv, tag: (t: Json) => Json, saved?: PlacedState | OpLogState): StateProtocol | null {
  if (!env.state) return null;
  const { config, groups } = env.state;
  const done = (ctx: Context, op: string, value: number | null) => m.complete(ctx, { op, ok: true, reason: null, value }, false);
  if (config.scheme === "op-log") return new OpLog(m, memory, groups, tag, done, saved as OpLogState | undefined);
  return new PlacedReplicas(m, memory, groups, config, tag, done, saved as PlacedState | undefined);
}

function isMonitorMessage(body: Json): body is MonitorMessage {
  return typeof body === "object" && body !== null && !Array.isArray(body) && (body.svc === AGREE || body.svc === AGREE_ACK);
}
