/**
 * The settlement quorum deadline: a candidate's masters have until `candidate_ready_at_ms +
 * challenge_window_ms + settlement_timeout_ms` (log time) to reach the quorum. Past it, a
 * `settlement_failed { reason_code: 'quorum_timeout' }` entry is accepted (and the coordinating
 * master appends one), so masters that never sign cannot hold an epoch in `finalizing` forever.
 */
import { DEFAULT_SETTLEMENT_TIMEOUT_MS } from '../objects/parameter-set.ts';
import { policyInForce } from '../params/resolve-parameters.ts';
import type { ProtocolState } from '../reducer/state.ts';

/** The reason code of a settlement failed at its quorum deadline. */
export const QUORUM_TIMEOUT = 'quorum_timeout';

/** The log time at which an epoch's candidate stops waiting for signatures; undefined without a candidate. */
export function settlementQuorumDeadline(state: ProtocolState, epochId: number): number | undefined {
  const s = state.settlements[epochId];
  if (!s || (s.state !== 'candidate_ready' && s.state !== 'finalizing') || s.candidate_ready_at_ms === undefined) {
    return undefined;
  }
  const policy = policyInForce(state, epochId);
  const window = policy?.challenge_window_ms ?? 0;
  const timeout = policy?.settlement_timeout_ms ?? DEFAULT_SETTLEMENT_TIMEOUT_MS;
  return s.candidate_ready_at_ms + window + timeout;
}

/** Epochs whose candidate is past its quorum deadline at `time_ms`, in epoch order. */
export function settlementsPastDeadline(state: ProtocolState, time_ms: number): number[] {
  const out: number[] = [];
  for (const s of Object.values(state.settlements)) {
    const deadline = settlementQuorumDeadline(state, s.epoch_id);
    if (deadline !== undefined && time_ms >= deadline) out.push(s.epoch_id);
  }
  return out.sort((a, b) => a - b);
}
