/**
 * The assurance surface of a master: its log page by page with the checkpoints it recorded (for
 * `symphony log export`), the finalized accounting it recorded, and its anchors.
 */
import type { AccountingView, AnchorView, LogEntryView, LogPage } from '@symphony/api';
import { checkpointOf } from '@symphony/protocol';
import type { CheckpointRecorder } from '../assurance/checkpoint-recorder.ts';
import type { StateFollower } from '../coordination/state-follower.ts';
import type { Anchor } from '../ports/anchor.ts';
import type { ProtocolLog } from '../ports/protocol-log.ts';
import type { AccountingBook } from '../settlement/accounting-book.ts';
import { anchorStatementOf } from '../settlement/epoch-anchorer.ts';
import { ApiFailure, type AssuranceApi } from './master-api.ts';

export type AssuranceServiceOptions = {
  log: ProtocolLog;
  follower: StateFollower;
  checkpoints: CheckpointRecorder;
  book: AccountingBook;
  anchor: Anchor;
};

export class AssuranceService implements AssuranceApi {
  readonly #o: AssuranceServiceOptions;

  constructor(opts: AssuranceServiceOptions) {
    this.#o = opts;
  }

  async logPage(from: number, limit: number): Promise<LogPage> {
    const state = this.#o.follower.state;
    // Only entries this node has folded: their checkpoints are recorded by then.
    const folded = state.head ? state.head.seq - from + 1 : 0;
    const entries =
      folded > 0 ? ((await this.#o.log.read(from, Math.min(limit, folded))) as unknown as LogEntryView[]) : [];
    const last = entries.at(-1)?.seq ?? from - 1;
    const checkpoints = this.#o.checkpoints.between(from, last);
    const reachesHead = state.head !== null && state.head.seq === last;
    return {
      network_id: state.network_id,
      entries,
      checkpoints,
      ...(reachesHead ? { head: checkpointOf(state) } : {}),
    };
  }

  #finalized(epochId: number): void {
    if (this.#o.follower.state.settlements[epochId]?.state !== 'finalized')
      throw new ApiFailure('not_found', `Epoch ${epochId} is not finalized.`);
  }

  async accounting(epochId: number): Promise<AccountingView> {
    this.#finalized(epochId);
    if (!(await this.#o.book.has(epochId)))
      throw new ApiFailure('not_found', `Epoch ${epochId} is finalized but its accounting is not recorded yet.`);
    return this.#o.book.read(epochId);
  }

  async anchor(epochId: number): Promise<AnchorView> {
    this.#finalized(epochId);
    const statement = anchorStatementOf(this.#o.follower, epochId)!;
    const check = await this.#o.anchor.verify(statement);
    const receipt = check.ok ? check.receipt : check.receipt;
    const anchor = this.#o.anchor;
    return {
      epoch_id: epochId,
      adapter: anchor.kind,
      statement,
      ...(receipt ? { receipt } : {}),
      verified: check.ok,
      ...(check.ok ? {} : { code: check.code, message: check.message }),
      ...(anchor.ledger ? { ledger: await anchor.ledger() } : {}),
    };
  }
}
