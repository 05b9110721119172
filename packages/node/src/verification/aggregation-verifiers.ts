/**
 * The class verifiers of Query and Train: instead of re-running an aggregation, the verifier
 * fetches the executor's sealed transcript (and a Query's aggregation transcript: commitments
 * only) from the executing node, checks its attestation and seal, then runs the pure checks of
 * `@symphony/protocol` against the log: every partial accounted for, suppression and noise
 * consistent with the policy, budgets charged, model hashes consistent across Vaults. A Query's
 * noise is drawn from a secret seed only enclaves derive, so its check is done inside an enclave:
 * the verifier asks an enterprise node (another than the aggregator when there is one) over the
 * signed bus to recompute the seed commitment and the noise digest, checks that enclave's
 * attestation over the statement, and compares. The Query verifier also judges
 * `group_under_k_min` challenge evidence from the same transcript and log.
 */
import {
  audienceDrawnOf,
  type ChallengeEvidence,
  type ClassCheckVerdict,
  checkNoiseRecomputation,
  checkQueryAggregation,
  checkTrainAggregation,
  type ExecutionReceipt,
  type LoggedRelease,
  noiseRecomputationHash,
  type ProtocolState,
  planQuery,
  type QueryAggregation,
  queryPolicyOf,
} from '@symphony/protocol';
import { type Backoff, DEFAULT_BACKOFF, requestUntilAnswered } from '../coordination/retry.ts';
import type { StateFollower } from '../coordination/state-follower.ts';
import type { NoiseRecomputationReply, NoiseRecomputationRequest } from '../execution/query/noise-recomputation.ts';
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

/**
 * The enterprise nodes whose enclaves a verifier may ask to recompute noise, in the order asked:
 * the nodes other than the aggregator first (rotated by the task id, so the load spreads), the
 * aggregator last (the only one when it is the only enterprise node).
 */
export function noiseRecomputers(state: ProtocolState, task_id: string, executor: string): string[] {
  const withEnclave = Object.keys(state.enterprise_nodes)
    .filter((n) => (state.enterprise_nodes[n]?.enclaves?.length ?? 0) > 0)
    .sort();
  const others = withEnclave.filter((n) => n !== executor);
  let h = 0;
  for (const ch of task_id) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
  const start = others.length > 0 ? h % others.length : 0;
  const rotated = [...others.slice(start), ...others.slice(0, start)];
  return withEnclave.includes(executor) ? [...rotated, executor] : rotated;
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

  /**
   * An enclave's attested recomputation of the noise for `a`, asked of `noiseRecomputers` in turn
   * until one answers with a statement about this request that its registered enclave attested;
   * undefined once the task is no longer wanted.
   */
  const recomputedNoise = (state: ProtocolState, request: NoiseRecomputationRequest, executor: string) => {
    const nodes = noiseRecomputers(state, request.envelope.task_id, executor);
    let turn = 0;
    return requestUntilAnswered<NoiseRecomputationReply>(
      async () => {
        if (nodes.length === 0) throw new Error('no enterprise node with a registered enclave');
        const node = nodes[turn++ % nodes.length]!;
        const reply = (await o.bus.request(enterpriseSubjects(node).queryNoise, request, {
          timeoutMs: o.requestTimeoutMs ?? 30_000,
        })) as NoiseRecomputationReply;
        const st = reply.statement;
        if (
          st.envelope_hash !== request.envelope_hash ||
          st.attempt !== request.attempt ||
          st.audience_drawn !== request.audience_drawn ||
          JSON.stringify(st.released_keys) !== JSON.stringify(request.released_keys)
        )
          throw new Error(`${node} answered about another release`);
        const outcome = o.attestation.verify(reply.evidence, {
          report_data: noiseRecomputationHash(st),
          enclaves: o.follower.state.enterprise_nodes[node]?.enclaves ?? [],
        });
        if (outcome.kind === 'rejected') throw new Error(`${node}'s noise attestation: ${outcome.reason}`);
        return reply;
      },
      {
        backoff: o.backoff ?? DEFAULT_BACKOFF,
        stillWanted: () => wanted(request.envelope.task_id),
        onFailure: (n, error) => o.onError?.(`noise of ${request.envelope.task_id} (try ${n})`, error),
      },
    );
  };

  /** The noise half of a Query's check, by an enclave's recomputation. */
  async function noiseVerdict(
    input: ClassCheckInput,
    a: QueryAggregation,
    release: LoggedRelease,
  ): Promise<Verdict | undefined> {
    const { state, envelope, receipt, policy } = input;
    if (envelope.spec.kind !== 'query') return { ok: false, reason_code: 'aggregation_missing' };
    const planned = planQuery(envelope.spec, queryPolicyOf(policy));
    if (!planned.ok) return { ok: false, reason_code: 'suppression_inconsistent' };
    const reply = await recomputedNoise(
      state,
      {
        envelope,
        envelope_hash: state.tasks[receipt.task_id]?.envelope_hash ?? '',
        attempt: receipt.attempt,
        released_keys: a.released_keys,
        audience_drawn: audienceDrawnOf(planned.plan, release),
      },
      receipt.executor_node,
    );
    return reply ? checkNoiseRecomputation(a, reply.statement) : undefined;
  }

  const query: ClassVerifier = {
    taskClass: 'query',
    async checkTranscript(input: ClassCheckInput): Promise<Verdict | undefined> {
      const { state, envelope, receipt, policy } = input;
      const reply = await fetch(receipt);
      if (!reply) return undefined;
      const problem = sealedProblem(state, receipt, reply);
      if (problem) return { ok: false, reason_code: problem };
      const t = state.tasks[receipt.task_id];
      const release = await loggedRelease(o.follower, receipt.task_id, receipt.attempt);
      const pure = checkQueryAggregation({
        state,
        envelope,
        envelope_hash: t?.envelope_hash ?? '',
        receipt,
        transcript: reply.sealed.transcript,
        aggregation: reply.aggregation,
        release,
        policy,
      });
      // The pure check passed only with an aggregation and a logged release.
      if (!pure.ok || !reply.aggregation || !release) return pure;
      return noiseVerdict(input, reply.aggregation, release);
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
