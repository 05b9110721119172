/** What the challenge routes ask of a master (implemented by `ChallengeService`). */
import type {
  ChallengeDetail,
  ChallengeList,
  ChallengeListQuery,
  ChallengeReplayBundle,
  ChallengeView,
  OpenChallengeRequest,
  ReopenChallengeRequest,
} from '@symphony/api';
import type { Caller } from './caller.ts';

export interface ChallengeApi {
  open(request: OpenChallengeRequest, caller?: Caller): Promise<ChallengeDetail>;
  list(query: ChallengeListQuery): ChallengeList;
  get(challengeId: string): Promise<ChallengeDetail | undefined>;
  replayBundle(challengeId: string): Promise<ChallengeReplayBundle | undefined>;
  approve(challengeId: string, approver: string): Promise<ChallengeView>;
  /** Reopens a challenge closed without penalty with new evidence, inside the window (its challenger only). */
  reopen(challengeId: string, request: ReopenChallengeRequest, caller?: Caller): Promise<ChallengeDetail>;
}
