// Two-phase commit for capability retype across cores (paper, section 4):
// the initiator's monitor asks every replica to prepare (check the retype
// against its copy of the capability rules and lock the capability) and
// collects the votes over the routing tree; if all vote yes it commits, else
// it aborts, in a second round over the same tree. Conflicting operations
// resolve deterministically: a replica votes no to a capability another
// operation holds locked, and every replica sees its messages in the same
// virtual-time order on any host.
import type { Phase } from "./agreement.ts";
import type { MonitorCore } from "./monitor-core.ts";
import type { RetypeRequest } from "./replica.ts";

/** What a retype's rounds carry: the request, and why it was aborted (null while it is not). */
export type RetypeRound = { req: RetypeRequest; reason: string | null };

export function twoPhaseCommitPhases(m: MonitorCore): Record<string, Phase<RetypeRound>> {
  const finish = (commit: boolean): Phase<RetypeRound> => ({
    act(ctx, round) {
      const req = round.data.req;
      m.replica.finish(round.op, req, commit);
      // Unlock, and one table entry written per new capability.
      ctx.charge(m.cost.localLineUpdate() * (1 + (commit ? req.count : 0)));
      return { ok: true };
    },
    complete(ctx, round) {
      m.complete(ctx, { op: round.op, ok: commit, reason: round.data.reason }, true);
    },
  });
  return {
    prepare: {
      act(ctx, round) {
        // Look the capability up, check the rules, lock it.
        ctx.charge(2 * m.cost.localLineUpdate());
        return m.replica.prepare(round.op, round.data.req);
      },
      complete(ctx, round, vote) {
        const data = vote.ok ? round.data : { ...round.data, reason: vote.reason };
        m.agreement.start(ctx, { op: round.op, kind: round.kind, phase: vote.ok ? "commit" : "abort", data });
      },
    },
    commit: finish(true),
    abort: finish(false),
  };
}
