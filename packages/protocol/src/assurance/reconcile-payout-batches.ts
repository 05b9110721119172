/**
 * Payout batch reconciliation of one finalized epoch: the batches are rebuilt from the recorded
 * payout intents (grouping, order and claims tree of payout-batches.ts) and must equal the batches
 * the log holds, field by field (claims root, total, claim count); the batches a node recorded must
 * be those batches; and every executed batch's execution (as the treasury signed it in the log)
 * must restate the rebuilt claims root and total, so what was paid is what the intents owe.
 */
import type { PayoutBatch, PayoutExecution } from '../objects/payout.ts';
import type { PayoutIntent } from '../objects/reward-record.ts';
import { buildPayoutBatches } from '../payout/payout-batches.ts';
import type { AuditFinding } from './reconcile-epoch.ts';

/** The fields of a batch fixed at finality (its `state` and `executed` move afterwards). */
const FIXED = ['epoch_id', 'index', 'claim_count', 'total', 'claims_root'] as const;

const differences = (a: PayoutBatch, b: PayoutBatch) =>
  FIXED.filter((f) => a[f] !== b[f]).map((f) => `${f}: ${JSON.stringify(a[f])} vs ${JSON.stringify(b[f])}`);

/** Counts of a reconciled epoch's batches. */
export type PayoutBatchTotals = { batches: number; executed: number; executed_total: string };

export function reconcilePayoutBatches(input: {
  epoch_id: number;
  /** The epoch's payout intents (as recorded, or as the log derives them). */
  payouts: readonly PayoutIntent[];
  /** The epoch's batches as the log holds them. */
  logBatches: readonly PayoutBatch[];
  /** Every execution the log accepted (any epoch; those of other batches are ignored). */
  executions: readonly PayoutExecution[];
  /** The batches the node recorded; undefined when it records none. */
  recordedBatches?: readonly PayoutBatch[];
}): { findings: AuditFinding[]; totals: PayoutBatchTotals } {
  const findings: AuditFinding[] = [];
  const rebuilt = buildPayoutBatches(input.epoch_id, input.payouts);
  const rebuiltById = new Map(rebuilt.map((b) => [b.batch.batch_id, b]));
  const logById = new Map(input.logBatches.map((b) => [b.batch_id, b]));

  for (const { batch, claims } of rebuilt) {
    for (const c of claims) {
      const intent = input.payouts.find((p) => p.intent_id === c.intent_id)!;
      if (intent.batch_id !== batch.batch_id)
        findings.push({
          code: 'payout_batch_mismatch',
          subject: `payout ${intent.intent_id}`,
          message: `is in batch ${intent.batch_id ?? '(none)'}; its position among the epoch's intents puts it in ${batch.batch_id}`,
        });
    }
    const held = logById.get(batch.batch_id);
    if (!held) {
      findings.push({
        code: 'payout_batch_missing',
        subject: `batch ${batch.batch_id}`,
        message: `the intents give batch ${batch.batch_id} (${batch.claim_count} claims, ${batch.total}); the log has no such batch`,
      });
      continue;
    }
    const d = differences(batch, held);
    if (d.length)
      findings.push({
        code: 'payout_batch_mismatch',
        subject: `batch ${batch.batch_id}`,
        message: `rebuilt from the intents vs the log: ${d.join('; ')}`,
      });
  }
  for (const held of input.logBatches) {
    if (!rebuiltById.has(held.batch_id))
      findings.push({
        code: 'payout_batch_mismatch',
        subject: `batch ${held.batch_id}`,
        message: `the log holds batch ${held.batch_id}, which the epoch's intents do not give`,
      });
  }

  if (input.recordedBatches) {
    const recordedById = new Map(input.recordedBatches.map((b) => [b.batch_id, b]));
    for (const r of input.recordedBatches) {
      const held = logById.get(r.batch_id);
      if (!held || r.epoch_id !== input.epoch_id) {
        findings.push({
          code: 'payout_batch_forged',
          subject: `batch ${r.batch_id}`,
          message: `recorded (${r.claim_count} claims, ${r.total}, root ${r.claims_root}) but not derivable from the log`,
        });
        continue;
      }
      const d = differences(r, held);
      if (d.length)
        findings.push({
          code: 'payout_batch_forged',
          subject: `batch ${r.batch_id}`,
          message: `recorded vs the log: ${d.join('; ')}`,
        });
    }
    for (const held of input.logBatches) {
      if (!recordedById.has(held.batch_id))
        findings.push({
          code: 'payout_batch_missing',
          subject: `batch ${held.batch_id}`,
          message: 'in the log but not recorded',
        });
    }
  }

  let executed = 0;
  let executedTotal = 0n;
  for (const held of input.logBatches) {
    if (held.state !== 'executed') continue;
    executed++;
    const execution = input.executions.find((x) => x.batch_id === held.batch_id);
    const expected = rebuiltById.get(held.batch_id)?.batch;
    if (!execution || !expected) {
      findings.push({
        code: 'payout_execution_mismatch',
        subject: `batch ${held.batch_id}`,
        message: execution ? 'executed, but the intents give no such batch' : 'executed, but the log has no execution',
      });
      continue;
    }
    executedTotal += BigInt(execution.total);
    if (execution.total !== expected.total || execution.claims_root !== expected.claims_root)
      findings.push({
        code: 'payout_execution_mismatch',
        subject: `batch ${held.batch_id}`,
        message: `the treasury paid ${execution.total} over root ${execution.claims_root}; the intents owe ${expected.total} over root ${expected.claims_root}`,
      });
  }
  return {
    findings,
    totals: { batches: input.logBatches.length, executed, executed_total: executedTotal.toString() },
  };
}
