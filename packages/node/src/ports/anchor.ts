/**
 * `Anchor`: where a node publishes the finalized settlement of each epoch outside the protocol log,
 * so that anyone can check later that the roots they re-derive are the ones the network finalized.
 * An epoch is anchored once; anchoring the same statement again is a no-op, anchoring other roots
 * for an anchored epoch is refused (`conflict`). Adapters: the local hash-chained anchor ledger in
 * the node's store (default) and a settlement-anchor contract on an EVM chain.
 */

/** What is anchored for one finalized epoch (all hashes 64 lowercase hex digits). */
export type AnchorStatement = {
  readonly network_id: string;
  readonly epoch_id: number;
  readonly settlement_root: string;
  readonly rewards_root: string;
  /** `statementHash` of the quorum certificate's statement (binds attempt and tree sizes). */
  readonly statement_hash: string;
};

/** Proof that a statement is anchored: the statement plus where it lives. */
export type AnchorReceipt = AnchorStatement & {
  /** Which adapter holds it (`ledger`, `evm`). */
  readonly adapter: string;
  /** Adapter-specific locator: the ledger entry hash, or the transaction hash. */
  readonly reference: string;
  /** Adapter-specific position: the ledger seq, or the block number. */
  readonly position: number;
};

/** The result of `anchor`. A conflict is an expected outcome, not an error. */
export type AnchorOutcome =
  | { readonly ok: true; readonly receipt: AnchorReceipt; readonly already: boolean }
  | { readonly ok: false; readonly code: 'conflict'; readonly existing: AnchorReceipt };

/** The result of `verify`. */
export type AnchorCheck =
  | { readonly ok: true; readonly receipt: AnchorReceipt }
  | {
      readonly ok: false;
      readonly code: 'not_anchored' | 'root_mismatch' | 'ledger_broken';
      readonly message: string;
      readonly receipt?: AnchorReceipt;
    };

/** Stable codes of the errors an anchor throws (conflicts are outcomes). */
export const anchorErrorCodes = ['invalid_statement', 'anchor_unavailable'] as const;
/** Stable codes of the errors an anchor throws. */
export type AnchorErrorCode = (typeof anchorErrorCodes)[number];

/** A typed anchor failure. */
export class AnchorError extends Error {
  readonly code: AnchorErrorCode;
  constructor(code: AnchorErrorCode, message: string) {
    super(message);
    this.name = 'AnchorError';
    this.code = code;
  }
}

/** Publishes and reads finalized epoch statements. */
export interface Anchor {
  /** The adapter's name, as written in receipts. */
  readonly kind: string;
  /**
   * Anchors `statement` unless its epoch is anchored: the same statement again succeeds with
   * `already: true`; different roots for an anchored epoch give `conflict` and change nothing.
   * Throws `invalid_statement` for a malformed statement.
   */
  anchor(statement: AnchorStatement): Promise<AnchorOutcome>;
  /** The receipt of `epoch_id`, or undefined when it is not anchored. */
  read(epoch_id: number): Promise<AnchorReceipt | undefined>;
  /**
   * Checks that `statement` is what is anchored for its epoch (and, for a ledger, that the
   * ledger's chain is intact up to it).
   */
  verify(statement: AnchorStatement): Promise<AnchorCheck>;
  /**
   * The whole ledger, for an adapter that keeps a hash-chained one (the local ledger), so an
   * auditor can check its chain without trusting `verify`.
   */
  ledger?(): Promise<(AnchorStatement & { seq: number; prev_hash: string; hash: string })[]>;
}

const HEX64 = /^[0-9a-f]{64}$/;

/** Throws `invalid_statement` naming the first malformed field. */
export function checkAnchorStatement(s: AnchorStatement): void {
  if (typeof s.network_id !== 'string' || s.network_id.length === 0)
    throw new AnchorError('invalid_statement', 'network_id must be a non-empty string');
  if (!Number.isSafeInteger(s.epoch_id) || s.epoch_id < 1)
    throw new AnchorError('invalid_statement', 'epoch_id must be a positive integer');
  for (const field of ['settlement_root', 'rewards_root', 'statement_hash'] as const) {
    if (typeof s[field] !== 'string' || !HEX64.test(s[field]))
      throw new AnchorError('invalid_statement', `${field} must be 64 lowercase hex digits`);
  }
}

/** Whether two statements anchor the same thing. */
export function sameStatement(a: AnchorStatement, b: AnchorStatement): boolean {
  return (
    a.network_id === b.network_id &&
    a.epoch_id === b.epoch_id &&
    a.settlement_root === b.settlement_root &&
    a.rewards_root === b.rewards_root &&
    a.statement_hash === b.statement_hash
  );
}

/** `verify` from `read`: the common comparison every adapter makes. */
export function compareAnchored(statement: AnchorStatement, receipt: AnchorReceipt | undefined): AnchorCheck {
  if (!receipt) return { ok: false, code: 'not_anchored', message: `epoch ${statement.epoch_id} is not anchored` };
  if (!sameStatement(statement, receipt)) {
    const field = (['network_id', 'settlement_root', 'rewards_root', 'statement_hash'] as const).find(
      (f) => statement[f] !== receipt[f],
    );
    return {
      ok: false,
      code: 'root_mismatch',
      message: `epoch ${statement.epoch_id}: anchored ${field} ${receipt[field!]} differs from ${statement[field!]}`,
      receipt,
    };
  }
  return { ok: true, receipt };
}
