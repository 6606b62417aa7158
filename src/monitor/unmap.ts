// Unmap with TLB shootdown, the monitors' one-phase commit (paper, section
// 5.1). The application asks its local monitor by LRPC; the monitor takes the
// mapping out of every core's page table and TLB over the chosen routing
// tree and collects the acknowledgements; the reply goes back by LRPC. The
// raw variant ("shootdown") is the same messaging with no unmap work, the
// protocol's bare cost (Figure 6).
import { APP_DOMAIN } from "../cpudriver/index.ts";
import type { Phase } from "./agreement.ts";
import type { MonitorCore } from "./monitor-core.ts";

const OK = { ok: true } as const;

export function unmapPhases(m: MonitorCore): { shootdown: Phase<null>; unmap: Phase<{ vaddr: number }> } {
  return {
    shootdown: {
      act: () => OK,
      complete: (ctx, round, vote) => m.complete(ctx, { op: round.op, ok: vote.ok, reason: null }, false),
    },
    unmap: {
      act(ctx, round) {
        const vaddr = round.data.vaddr;
        if (m.cpu.isMapped(APP_DOMAIN, vaddr)) ctx.charge(m.cpu.unmap(APP_DOMAIN, vaddr, 1).cost);
        m.replica.unmap(vaddr);
        return OK;
      },
      complete: (ctx, round, vote) => m.complete(ctx, { op: round.op, ok: vote.ok, reason: null }, true),
    },
  };
}
