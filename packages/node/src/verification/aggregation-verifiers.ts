/**
 * The class verifiers of Query and Train: instead of re-running an aggregation, the verifier
 * fetches the executor's sealed transcript (and a Query's aggregation transcript: commitments
 * only) from the executing node, checks its attestation and seal, then runs the pure checks of
 * `@symphony/protocol` against the log: every partial accounted for, suppression and noise
 * consistent with the policy, budgets charged, model hashes consistent across Vaults. The Query
 * verifier also judges `group_under_k_min` challenge evidence from the same transcript and log.
 */
import {
  type ChallengeEvidence,
  type ClassCheckVerdict,
  checkQueryAggregation,
  checkTrainAggregation,
  type ExecutionReceipt,
  type LoggedRelease,
  type ProtocolState,
} from '@symphony/protocol';
import { type Backoff, DEFAULT_BACKOFF, requestUntilAnswered } from '../coordination/retry.ts';
import type { StateFollower } from '../coordination/state-follower.ts';
import { declaredTrainingSpend, epsilonMicro } from '../execution/train/dp-accountant.ts';
import type { Bus } from '../ports/bus.ts';
import { enterpriseSubjects, type TranscriptReply, type TranscriptRequest } from '../wire/enterprise-rpc.ts';
import type { AttestationVerifier } from './attestation-verifier.ts';
import type { ClassCheckInput, ClassVerifier, ClassVerifiers } from './class-verifiers.ts';
import { attestationProblem } from './sealed-transcript-check.ts';

export type AggregationVerifierOptions = {
  bus: Bus;
  follower: StateFollower;
  attestation: AttestationVerifier;
  requestTimeoutMs?: number;
  backoff?: Backoff;
  /** Whether an answer is still wanted for a task (default: while the task is verifying or challenged). */
  stillWanted?: (task_id: string) => boolean;
  onError?: (what: string, error: unknown) => void;
};

type Verdict = { ok: true } | { ok: false; reason_code: string };

/** The log's `query_release_decided` for a task's attempt, if any. */
async function loggedRelease(
  follower: StateFollower,
  task_id: string,
  attempt: number,
): Promise<LoggedRelease | undefined> {
  const entries = (follower.taskEntries.get(task_id) ?? []).filter(
    (e) => e.type === 'query_release_decided' && e.outcome === 'applied',
  );
  for (const e of entries.reverse()) {
    const entry = await follower.entryAt(e.seq);
    if (entry?.event.type === 'query_release_decided' && entry.event.attempt === attempt) {
      const { attempt: a, scope, charged, released_sets } = entry.event;
      return { attempt: a, scope, charged, released_sets };
    }
  }
  return undefined;
}

/** Query and Train class verifiers over the executing nodes' stored transcripts. */
export function aggregationVerifiers(o: AggregationVerifierOptions): ClassVerifiers {
  const wanted =
    o.stillWanted ??
    ((task_id: string) => ['verifying', 'challenged'].includes(o.follower.state.tasks[task_id]?.state ?? ''));
  const fetch = (receipt: ExecutionReceipt) =>
    requestUntilAnswered<TranscriptReply>(
      () =>
        o.bus.request(
          enterpriseSubjects(receipt.executor_node).transcript,
          { transcript_hash: receipt.transcript_hash } satisfies TranscriptRequest,
          { timeoutMs: o.requestTimeoutMs ?? 30_000 },
        ),
      {
        backoff: o.backoff ?? DEFAULT_BACKOFF,
        stillWanted: () => wanted(receipt.task_id),
        onFailure: (n, error) => o.onError?.(`transcript of ${receipt.task_id} (try ${n})`, error),
      },
    );
  const sealedProblem = (state: ProtocolState, receipt: ExecutionReceipt, reply: TranscriptReply) =>
    attestationProblem(o.attestation, state, receipt, reply.sealed);

  const query: ClassVerifier = {
    taskClass: 'query',
    async checkTranscript({ state, envelope, receipt, policy }: ClassCheckInput): Promise<Verdict | undefined> {
      const reply = await fetch(receipt);
      if (!reply) return undefined;
      const problem = sealedProblem(state, receipt, reply);
      if (problem) return { ok: false, reason_code: problem };
      const t = state.tasks[receipt.task_id];
      return checkQueryAggregation({
        state,
        envelope,
        envelope_hash: t?.envelope_hash ?? '',
        receipt,
        transcript: reply.sealed.transcript,
        aggregation: reply.aggregation,
        release: await loggedRelease(o.follower, receipt.task_id, receipt.attempt),
        policy,
      });
    },
    async checkEvidence(input: ClassCheckInput & { evidence: ChallengeEvidence }): Promise<ClassCheckVerdict> {
      const { evidence, receipt, state } = input;
      if (evidence.kind !== 'group_under_k_min') return { confirmed: false, reason_code: 'evidence_kind_mismatch' };
      const reply = await fetch(receipt);
      const a = reply?.aggregation;
      if (!reply || !a || sealedProblem(state, receipt, reply) || a.attempt !== receipt.attempt)
        return { confirmed: false, reason_code: 'transcript_unavailable' };
      const release = await loggedRelease(o.follower, receipt.task_id, receipt.attempt);
      if (!release) return { confirmed: false, reason_code: 'release_not_logged' };
      const index = a.released_keys.indexOf(evidence.group_key);
      if (index < 0) return { confirmed: false, reason_code: 'group_not_released' };
      const subjects = new Set(release.released_sets[index] ?? []).size;
      return subjects < input.policy.k_min
        ? { confirmed: true, reason_code: 'group_below_k_min' }
        : { confirmed: false, reason_code: 'group_meets_k_min' };
    },
  };

  const train: ClassVerifier = {
    taskClass: 'train',
    async checkTranscript({ state, envelope, receipt }: ClassCheckInput): Promise<Verdict | undefined> {
      const reply = await fetch(receipt);
      if (!reply) return undefined;
      const problem = sealedProblem(state, receipt, reply);
      if (problem) return { ok: false, reason_code: problem };
      const spend = envelope.spec.kind === 'train' ? declaredTrainingSpend(envelope.spec) : undefined;
      return checkTrainAggregation({
        state,
        envelope,
        receipt,
        transcript: reply.sealed.transcript,
        ...(spend ? { expected_epsilon_micro: epsilonMicro(spend.epsilon) } : {}),
      });
    },
  };
  return { query, train };
}
