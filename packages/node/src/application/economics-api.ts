/** What the staking and payout routes ask of a master (implemented by `EconomicsService`). */
import type {
  PayoutBatchView,
  PayoutClaimProofView,
  PayoutExecutionRequest,
  PayoutList,
  PayoutQuery,
  StakeRequest,
  StakeView,
  StakeWithdrawRequest,
} from '@symphony/api';
import type { Caller } from './caller.ts';

export interface EconomicsApi {
  stake(actorId: string): StakeView;
  deposit(request: StakeRequest, caller?: Caller): Promise<StakeView>;
  requestUnbonding(request: StakeRequest, caller?: Caller): Promise<StakeView>;
  withdraw(request: StakeWithdrawRequest, caller?: Caller): Promise<StakeView>;
  payouts(query: PayoutQuery): PayoutList;
  batch(batchId: string): PayoutBatchView;
  claim(batchId: string, actorId: string): PayoutClaimProofView;
  executeBatch(batchId: string, execution: PayoutExecutionRequest): Promise<PayoutBatchView>;
}
