/**
 * The settlement alert: when an epoch's settlement becomes `failed` (masters could not agree, or a
 * `settlement_failed` entry), the master emits one structured alert naming the epoch, the attempt,
 * the reason and the recovery; the metrics derive the same from the folded state
 * (`scs_settlement_failed_epochs`, `scs_settlement_failures_total`), so a replayed node reports
 * the same figures.
 *
 * Recovery (docs/protocol.md section 9): governance appends `settlement_retried { epoch_id }`; the
 * settlement goes back to `verifying_inputs` and every master rebuilds the candidate as the next
 * attempt and signs it again.
 */
import { type Entry, type ProtocolState, statementHash } from '@symphony/protocol';
import type { StateFollower } from '../coordination/state-follower.ts';

export type SettlementAlert = {
  level: 'error';
  alert: 'settlement_failed';
  epoch_id: number;
  attempt: number;
  reason: string;
  seq: number;
  /** Masters whose signatures matched the candidate, and those that signed another statement. */
  matching: string[];
  dissenting: string[];
  recovery: string;
};

export const SETTLEMENT_RECOVERY =
  'governance appends settlement_retried { epoch_id } once the cause is fixed; the candidate is rebuilt as the next attempt and signed again';

/** The alerts a log entry raises (a settlement that this entry moved to `failed`). */
export function settlementAlertsOf(state: ProtocolState, entry: Entry): SettlementAlert[] {
  const out: SettlementAlert[] = [];
  for (const s of Object.values(state.settlements)) {
    const last = s.history[s.history.length - 1];
    if (s.state !== 'failed' || last?.seq !== entry.seq) continue;
    const hash = s.candidate ? statementHash(s.candidate.statement) : undefined;
    const candidate = s.signatures.filter((g) => g.statement_hash === hash);
    out.push({
      level: 'error',
      alert: 'settlement_failed',
      epoch_id: s.epoch_id,
      attempt: s.attempt,
      reason: s.failure_reason ?? 'unknown',
      seq: entry.seq,
      matching: candidate.map((g) => g.master_id).sort(),
      dissenting: s.signatures
        .filter((g) => !candidate.includes(g))
        .map((g) => g.master_id)
        .sort(),
      recovery: SETTLEMENT_RECOVERY,
    });
  }
  return out;
}

/** Settlement metrics derived from the folded state (identical on every node and after replay). */
export function settlementFailureFigures(state: ProtocolState): { failedEpochs: number; failuresTotal: number } {
  let failedEpochs = 0;
  let failuresTotal = 0;
  for (const s of Object.values(state.settlements)) {
    if (s.state === 'failed') failedEpochs++;
    failuresTotal += s.history.filter((h) => h.state === 'failed').length;
  }
  return { failedEpochs, failuresTotal };
}

/** Watches the folded log and hands each settlement failure to `sink` once. */
export class SettlementAlerts {
  readonly #unsubscribe: () => void;

  constructor(follower: StateFollower, sink: (alert: SettlementAlert) => void) {
    this.#unsubscribe = follower.onApplied((entry, outcome) => {
      if (outcome.kind !== 'applied') return;
      if (entry.event.type !== 'settlement_signed' && entry.event.type !== 'settlement_failed') return;
      for (const alert of settlementAlertsOf(follower.state, entry)) sink(alert);
    });
  }

  async stop(): Promise<void> {
    this.#unsubscribe();
  }
}

/** The default sink: one JSON line on stderr (what a log shipper or an alert rule picks up). */
export function stderrAlertSink(alert: SettlementAlert): void {
  process.stderr.write(`${JSON.stringify(alert)}\n`);
}
