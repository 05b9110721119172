import { verifyEd25519 } from '../../crypto/ed25519.ts';
import { digestBytes, payoutExecutionHash } from '../../crypto/signing-digests.ts';
import { refuse } from '../refusal.ts';
import type { Step } from '../step.ts';

/**
 * The treasury marks a payout batch executed. The execution must restate the batch's epoch, claims
 * root and total, and be signed by the treasury account's registered key. The batch and its intents
 * become `executed`; reward records are not touched (payout reads the ledger, never edits it).
 */
export const executePayoutBatch: Step<'payout_batch_executed'> = {
  check(state, e) {
    const x = e.execution;
    const batch = state.payout_batches?.[x.batch_id];
    if (!batch) return refuse('unknown_batch', `no payout batch ${x.batch_id}`);
    if (batch.state === 'executed') return refuse('batch_already_executed', `${x.batch_id} was executed`);
    if (x.epoch_id !== batch.epoch_id || x.claims_root !== batch.claims_root || x.total !== batch.total) {
      return refuse('batch_mismatch', 'the execution restates another epoch, claims root or total');
    }
    if (x.treasury !== state.treasury_account) return refuse('not_treasury', `${x.treasury} is not the treasury`);
    const key = state.actors[x.treasury]?.public_key;
    if (!key) return refuse('treasury_not_registered', `${x.treasury} has no registered key`);
    if (!verifyEd25519(key, digestBytes(payoutExecutionHash(x)), x.signature)) {
      return refuse('bad_signature', 'the payout execution signature does not verify');
    }
    return undefined;
  },
  run(state, e, at) {
    const x = e.execution;
    const batch = state.payout_batches![x.batch_id]!;
    batch.state = 'executed';
    batch.executed = { seq: at.seq, time_ms: at.time_ms, reference: x.reference, treasury: x.treasury };
    for (const intent of Object.values(state.payouts)) {
      if (intent.batch_id === x.batch_id) intent.state = 'executed';
    }
  },
};
