/**
 * After an epoch finalizes, a master records its finalized accounting in its store and anchors
 * the certified roots through the `Anchor` configured on it (by default the local anchor ledger).
 * Both are idempotent, so a restart (which folds the log again) completes whatever was cut short;
 * a conflicting anchor (other roots already anchored for the epoch) is reported, never overwritten.
 */
import { accountingOf, statementHash } from '@symphony/protocol';
import type { StateFollower } from '../coordination/state-follower.ts';
import { KeyedRunner } from '../coordination/task-queue.ts';
import type { Anchor, AnchorReceipt, AnchorStatement } from '../ports/anchor.ts';
import type { AccountingBook } from './accounting-book.ts';

export type EpochAnchorerOptions = {
  follower: StateFollower;
  anchor: Anchor;
  book: AccountingBook;
  onError?: (what: string, error: unknown) => void;
  /** Called once per epoch anchored (or found anchored) by this node. */
  onAnchored?: (receipt: AnchorReceipt) => void;
};

/** The anchor statement of a finalized settlement, from its quorum certificate. */
export function anchorStatementOf(follower: StateFollower, epoch_id: number): AnchorStatement | undefined {
  const cert = follower.state.settlements[epoch_id]?.certificate;
  if (!cert) return undefined;
  return {
    network_id: cert.statement.network_id,
    epoch_id,
    settlement_root: cert.statement.settlement_root,
    rewards_root: cert.statement.rewards_root,
    statement_hash: statementHash(cert.statement),
  };
}

export class EpochAnchorer {
  readonly #o: EpochAnchorerOptions;
  readonly #runner: KeyedRunner;
  readonly #done = new Set<number>();
  #unsubscribe: (() => void) | undefined;

  constructor(opts: EpochAnchorerOptions) {
    this.#o = opts;
    this.#runner = new KeyedRunner(
      (epoch) => this.#settle(Number(epoch)),
      (epoch, error) => opts.onError?.(`anchor epoch ${epoch}`, error),
    );
  }

  start(): void {
    this.#scan();
    this.#unsubscribe = this.#o.follower.onApplied((entry, outcome) => {
      if (outcome.kind === 'applied' && entry.event.type === 'settlement_signed') this.#scan();
    });
  }

  #scan(): void {
    for (const s of Object.values(this.#o.follower.state.settlements)) {
      if (s.state === 'finalized' && !this.#done.has(s.epoch_id)) this.#runner.schedule(String(s.epoch_id));
    }
  }

  async #settle(epoch_id: number): Promise<void> {
    if (this.#done.has(epoch_id)) return;
    const statement = anchorStatementOf(this.#o.follower, epoch_id);
    if (!statement) return;
    if (!(await this.#o.book.has(epoch_id))) {
      await this.#o.book.record(accountingOf(this.#o.follower.state, epoch_id));
    }
    const outcome = await this.#o.anchor.anchor(statement);
    if (!outcome.ok) {
      throw Object.assign(
        new Error(
          `epoch ${epoch_id} is already anchored with settlement root ${outcome.existing.settlement_root}, not ${statement.settlement_root}`,
        ),
        { code: 'anchor_conflict' },
      );
    }
    this.#done.add(epoch_id);
    this.#o.onAnchored?.(outcome.receipt);
  }

  /** Epochs anchored (or found anchored) since start. */
  get anchored(): number {
    return this.#done.size;
  }

  async stop(): Promise<void> {
    this.#unsubscribe?.();
    await this.#runner.stop();
  }
}
