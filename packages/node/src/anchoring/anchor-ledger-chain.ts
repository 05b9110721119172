/**
 * The hash chain of the local anchor ledger: entry `seq` names the previous entry's hash (64 zeros
 * for the first) and `hash = hash("scp/v1/anchor-ledger-entry", entry without hash)`. Pure, so an
 * auditor checks a ledger it was handed without the node that keeps it.
 */
import { domainHash } from '@symphony/protocol';
import type { AnchorStatement } from '../ports/anchor.ts';
import { GENESIS_PREV_HASH } from '../ports/protocol-log.ts';

/** Domain tag of an anchor ledger entry's hash. */
export const ANCHOR_LEDGER_DOMAIN_TAG = 'scp/v1/anchor-ledger-entry';

/** One entry of the anchor ledger. */
export type AnchorLedgerEntry = AnchorStatement & { seq: number; prev_hash: string; hash: string };

/** The hash of a ledger entry, over every field but `hash`. */
export function anchorLedgerEntryHash(e: Omit<AnchorLedgerEntry, 'hash'>): string {
  return domainHash(ANCHOR_LEDGER_DOMAIN_TAG, {
    seq: e.seq,
    prev_hash: e.prev_hash,
    network_id: e.network_id,
    epoch_id: e.epoch_id,
    settlement_root: e.settlement_root,
    rewards_root: e.rewards_root,
    statement_hash: e.statement_hash,
  });
}

/** The first entry at which a ledger's chain breaks, or undefined when it is intact. */
export function brokenLedgerEntry(entries: readonly AnchorLedgerEntry[]): { seq: number; reason: string } | undefined {
  let prev = GENESIS_PREV_HASH;
  for (const [i, e] of entries.entries()) {
    if (e.seq !== i) return { seq: i, reason: `entry ${i} is missing (found seq ${e.seq})` };
    if (e.prev_hash !== prev) return { seq: i, reason: `entry ${i} does not name the previous entry's hash` };
    if (anchorLedgerEntryHash(e) !== e.hash) return { seq: i, reason: `entry ${i} does not match its hash` };
    prev = e.hash;
  }
  return undefined;
}
