/** The demo's pass criteria: a finalized epoch, a 64-hex root, a quorum certificate and rewards. */
import type { SettlementView } from '@symphony/api';
import type { RewardRecord } from '@symphony/protocol';

/** Why the demo did not show what it should: an empty list when it did. */
export function demoVerdict(settlement: SettlementView | undefined, rewards: readonly RewardRecord[]): string[] {
  const failures: string[] = [];
  if (!settlement) return ['no settlement to show'];
  if (settlement.state !== 'finalized') {
    failures.push(
      `epoch ${settlement.epoch_id} is ${settlement.state}, not finalized${settlement.failure_reason ? ` (${settlement.failure_reason})` : ''}`,
    );
  }
  const root = settlement.statement?.settlement_root ?? settlement.certificate?.statement.settlement_root;
  if (!root || !/^[0-9a-f]{64}$/.test(root))
    failures.push(`the settlement root is not 64 hex characters (${root ?? 'none'})`);
  const signatures = settlement.certificate?.signatures.length ?? 0;
  if (signatures < 2) failures.push(`the quorum certificate has ${signatures} signatures, fewer than 2`);
  if (rewards.length === 0) failures.push('no reward records were produced');
  return failures;
}
