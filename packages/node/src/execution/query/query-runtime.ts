/**
 * The `query` task class on enterprise nodes. The node a query is dispatched to runs the
 * aggregation enclave: it asks every target Vault's node for a partial sealed to a one-time key of
 * its enclave, opens them, combines them by keyed pseudonym, and releases (contribution bounds,
 * k_min suppression, discrete Laplace noise drawn from the enclaves' secret noise seed, never from
 * the public replay seed) with the decisions the reducer then charges.
 * A Vault's node computes its partial only for a query the log shows dispatched (or under
 * verification) with that aggregator, through the materializer, over consented, granted records.
 * Partials are never stored or returned.
 */
import {
  aggregationHash,
  chargesDigest,
  combinePartials,
  domainHash,
  envelopeHash,
  groupKeyText,
  type InputCommitment,
  type NoiseDraw,
  noiseDigest,
  noiseSeedCommitment,
  type PartialAggregate,
  type PartialCommitment,
  partialCommitmentDigest,
  participantsOf,
  participates,
  planQuery,
  type QueryAggregation,
  type QueryPlan,
  queryPolicyOf,
  releasedSetsDigest,
  releaseQuery,
  sealedPartialHash,
  type TaskEnvelope,
} from '@symphony/protocol';
import type { StateFollower } from '../../coordination/state-follower.ts';
import type { ConsentOracle } from '../../data/consent-gate.ts';
import { InvalidDerivation, materializeRecords } from '../../data/materialize-records.ts';
import type { VaultRecords } from '../../data/vault-records.ts';
import type { Bus } from '../../ports/bus.ts';
import type { Clock } from '../../ports/clock.ts';
import { PortError } from '../../ports/errors.ts';
import type { TeeProvider } from '../../ports/tee-provider.ts';
import { resolveTask } from '../../semantic/resolve-task.ts';
import { type ExecuteRequest, enterpriseSubjects } from '../../wire/enterprise-rpc.ts';
import { ExecutionRefused } from '../execute-task.ts';
import type { NoiseSeedOf } from '../noise-seed.ts';
import { buildTranscript, replayContextOf } from '../transcript.ts';
import { sealAudience } from './audience-handle.ts';
import {
  aggregatorKeyDigest,
  aggregatorKeyPair,
  openPartial,
  type SealedPartial,
  sealPartial,
  verifyAggregatorKey,
} from './partial-sealing.ts';
import type { PseudonymOf } from './subject-pseudonyms.ts';
import { computeVaultPartial } from './vault-partial.ts';

/** The code measurement of the query aggregation runtime (bump when release semantics change). */
export const QUERY_CODE_HASH = domainHash('scp/v1/builtin-program', { runtime: 'scs-query', version: 3 });

export type QueryRuntime = {
  nodeId: string;
  operator: string;
  bus: Bus;
  follower: StateFollower;
  tee: TeeProvider;
  records: VaultRecords;
  consent: ConsentOracle;
  pseudonymOf: PseudonymOf;
  /** The enclaves' key for audience handles. */
  audienceKey: Buffer;
  /** The enclaves' secret noise seed derivation (`loadNoiseSeeder`). */
  noiseSeedOf: NoiseSeedOf;
  hosts(vault_id: string): boolean;
  /** How long a Vault waits for its copy of the log to show the dispatch (default 10 s). */
  followWaitMs?: number;
  /** Timeout of one partial request (default 60 s). */
  partialTimeoutMs?: number;
  /** Test-only: a compromised aggregation enclave's tampering (see `AggregationFault`). */
  aggregationFault?: AggregationFault;
  /** The clock the aggregator's release slots are read on. */
  clock: Clock;
  /** Length of the aggregator's release slot (default `DEFAULT_RELEASE_SLOT_MS`). */
  releaseSlotMs?: number;
};

/**
 * Test-only: what a compromised aggregation enclave does to its own statement and release request
 * before sealing (drop a partial, lie about k_min, draw other noise, skip the budget charge).
 * Undefined leaves the run honest.
 */
export type AggregationFault = (
  task_id: string,
  run: { aggregation: QueryAggregation; release: QueryRelease; noise: readonly NoiseDraw[]; noise_seed: string },
) => { aggregation: QueryAggregation; release?: QueryRelease } | undefined;

/** Asks a Vault's node for its sealed partial of a dispatched query. */
export type QueryPartialRequest = {
  envelope: TaskEnvelope;
  envelope_hash: string;
  attempt: number;
  vault_id: string;
  /** Pinned snapshot (re-execution); the Vault's head otherwise. */
  as_of_seq?: number;
  aggregator_node: string;
  aggregator_key: string;
  key_signature: string;
};

export type QueryPartialReply = {
  sealed: SealedPartial;
  input: InputCommitment;
  operator: string;
  /** The Vault enclave's signed commitment to the sealed partial and its snapshot. */
  partial: PartialCommitment;
};

/** Refusals that end a query (not retried). */
const FINAL_CODES = new Set([
  'vault_not_hosted',
  'not_a_dispatched_query',
  'aggregator_not_assigned',
  'aggregator_key_unverified',
  'vault_not_resolved',
  'invalid_derivation',
]);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The Vault side: check the request against this node's copy of the log, then compute and seal. */
export async function answerPartial(rt: QueryRuntime, req: QueryPartialRequest): Promise<QueryPartialReply> {
  if (!rt.hosts(req.vault_id)) throw new PortError('vault_not_hosted', `${req.vault_id} is not on ${rt.nodeId}`);
  if (envelopeHash(req.envelope) !== req.envelope_hash)
    throw new PortError('not_a_dispatched_query', 'envelope does not match its hash');
  const task_id = req.envelope.task_id;
  const deadline = Date.now() + (rt.followWaitMs ?? 10_000);
  const ready = () => {
    const t = rt.follower.state.tasks[task_id];
    return (
      t &&
      t.class === 'query' &&
      t.envelope_hash === req.envelope_hash &&
      t.attempt === req.attempt &&
      (t.state === 'dispatched' || t.state === 'verifying') &&
      t.assignments !== undefined
    );
  };
  while (!ready() && Date.now() < deadline) await sleep(25);
  const state = rt.follower.state;
  const t = state.tasks[task_id];
  if (!ready() || !t) throw new PortError('not_a_dispatched_query', `task ${task_id} is not a dispatched query here`);
  if (!t.vault_ids.includes(req.vault_id)) throw new PortError('vault_not_hosted', `${req.vault_id} is not a target`);
  if (t.assignments?.[0]?.node_id !== req.aggregator_node)
    throw new PortError('aggregator_not_assigned', `${req.aggregator_node} does not aggregate ${task_id}`);
  const enclaves = state.enterprise_nodes[req.aggregator_node]?.enclaves ?? [];
  if (
    !enclaves.some((e) =>
      verifyAggregatorKey(e.enclave_public_key, task_id, req.attempt, req.aggregator_key, req.key_signature),
    )
  )
    throw new PortError('aggregator_key_unverified', 'the aggregator key is not signed by its registered enclave');
  const params = state.parameter_history.find((p) => p.policy_version === t.policy_version);
  const resolved = resolveTask(state, req.envelope);
  const binding = resolved.ok ? resolved.resolution.bindings.find((b) => b.vault_id === req.vault_id) : undefined;
  if (!params || !binding) throw new PortError('vault_not_resolved', `${req.vault_id} has no resolution`);
  const spec = req.envelope.spec;
  if (spec.kind !== 'query') throw new PortError('not_a_dispatched_query', 'not a query');
  const planned = planQuery(spec, queryPolicyOf(params));
  if (!planned.ok) throw new PortError(planned.refusal.code, planned.refusal.message);
  const gate = await rt.consent.gateFor(req.envelope);
  const as_of_seq = req.as_of_seq ?? (await rt.records.head(req.vault_id));
  let m: Awaited<ReturnType<typeof materializeRecords>>;
  try {
    m = await materializeRecords(rt.records, {
      vault_id: req.vault_id,
      as_of_seq,
      as_of_ms: req.envelope.admitted_at_ms,
      attributes: binding.attributes,
      // A participant query reads only the subjects who accepted it here before it was dispatched.
      admissible: (subject) =>
        gate.admits(req.vault_id, subject) &&
        (!spec.participation?.required ||
          participates(state, task_id, req.vault_id, subject, spec.participation.max_participants)),
    });
  } catch (error) {
    if (error instanceof InvalidDerivation) throw new PortError('invalid_derivation', error.message);
    throw error;
  }
  const partial = computeVaultPartial(
    req.vault_id,
    m.rows,
    spec.filter,
    planned.plan,
    req.envelope.admitted_at_ms,
    rt.pseudonymOf,
  );
  const sealed = sealPartial(partial, {
    aggregator_key: req.aggregator_key,
    task_id,
    attempt: req.attempt,
    vault_id: req.vault_id,
  });
  const unsigned = {
    vault_id: req.vault_id,
    as_of_seq,
    records_root: m.records_root,
    commitment: sealedPartialHash(sealed),
  };
  const signature = await rt.tee.sign(partialCommitmentDigest(task_id, req.attempt, unsigned));
  return {
    sealed,
    input: { vault_id: req.vault_id, as_of_seq, record_count: m.record_count, records_root: m.records_root },
    operator: rt.operator,
    partial: { ...unsigned, signature },
  };
}

/** What the aggregator asks the reducer to charge, beside the receipt. */
export type QueryRelease = { scope: string; charged: string[]; released_sets: string[][] };

export type QueryRun = {
  output: unknown;
  transcript: ReturnType<typeof buildTranscript>['transcript'];
  transcript_hash: string;
  output_hash: string;
  records_scanned: number;
  operators: Map<string, number>;
  /** Participating subjects credited as data producers (participant queries only). */
  producers: string[];
  /** The release request; absent when a (test-only) faulty enclave skipped the charge. */
  release?: QueryRelease;
  /** The aggregation transcript the sealed transcript commits to (`details.aggregation_hash`). */
  aggregation: QueryAggregation;
};

/** The aggregation side: fan out, open, combine, release. */
export async function runQuery(
  rt: QueryRuntime,
  req: Pick<ExecuteRequest, 'envelope' | 'envelope_hash' | 'attempt' | 'policy'>,
  pinned?: readonly InputCommitment[],
): Promise<QueryRun> {
  const { envelope } = req;
  if (envelope.spec.kind !== 'query') throw new ExecutionRefused('unsupported_task_class');
  const state = rt.follower.state;
  // The policy of the task's pinned version, as the reducer will read it to charge the release.
  const params = state.parameter_history.find((p) => p.policy_version === req.policy.policy_version);
  if (!params) throw new ExecutionRefused('unknown_policy_version');
  const planned = planQuery(envelope.spec, queryPolicyOf(params));
  if (!planned.ok) throw new ExecutionRefused(planned.refusal.code);
  const plan: QueryPlan = planned.plan;
  const keys = aggregatorKeyPair();
  const key_signature = await rt.tee.sign(aggregatorKeyDigest(envelope.task_id, req.attempt, keys.public_key));
  const replies = await Promise.all(
    envelope.targets.vault_ids.map(async (vault_id) => {
      const node = state.vaults[vault_id]?.node_id;
      if (!node) throw new ExecutionRefused('vault_not_resolved');
      const as_of_seq = pinned?.find((i) => i.vault_id === vault_id)?.as_of_seq;
      const request: QueryPartialRequest = {
        envelope,
        envelope_hash: req.envelope_hash,
        attempt: req.attempt,
        vault_id,
        ...(as_of_seq !== undefined ? { as_of_seq } : {}),
        aggregator_node: rt.nodeId,
        aggregator_key: keys.public_key,
        key_signature,
      };
      try {
        return (await rt.bus.request(enterpriseSubjects(node).queryPartial, request, {
          timeoutMs: rt.partialTimeoutMs ?? 60_000,
        })) as QueryPartialReply;
      } catch (error) {
        const code = (error as { code?: unknown }).code;
        if (typeof code === 'string' && (FINAL_CODES.has(code) || code.startsWith('identifying_')))
          throw new ExecutionRefused(code);
        throw error;
      }
    }),
  );
  const partials = replies.map(
    (r) => openPartial(r.sealed, keys.private_key, envelope.task_id, req.attempt) as PartialAggregate,
  );
  const seed = replayContextOf(envelope, req.envelope_hash).seed;
  // DP noise (and the audience order) come from the secret seed only enclaves can derive.
  const noiseSeed = rt.noiseSeedOf('query-release', seed, req.attempt);
  const released = releaseQuery(plan, combinePartials(partials, plan.summed.length), noiseSeed);
  const a = released.audience;
  const output = a
    ? {
        ...released.result,
        audience: {
          eligible: a.eligible,
          bound99: a.bound99,
          handle: a.members.length > 0 ? sealAudience(rt.audienceKey, envelope.task_id, noiseSeed, a.members) : null,
        },
      }
    : released.result;
  const records_scanned = replies.reduce((n, r) => n + r.input.record_count, 0);
  const operators = new Map<string, number>();
  for (const r of replies) operators.set(r.operator, (operators.get(r.operator) ?? 0) + r.input.record_count);
  const d = released.decisions;
  const honest: QueryAggregation = {
    task_id: envelope.task_id,
    attempt: req.attempt,
    noise_seed_commitment: noiseSeedCommitment(noiseSeed),
    partials: replies.map((r) => r.partial).sort((a, b) => (a.vault_id < b.vault_id ? -1 : 1)),
    k_min: plan.k_min,
    released_keys: released.truth.filter((g) => g.subjects >= plan.k_min).map((g) => groupKeyText(g.key)),
    groups_suppressed: d.groups_suppressed,
    noise_digest: noiseDigest(noiseSeed, released.noise),
    epsilon_micro: plan.epsilon_micro,
    charged_digest: chargesDigest(envelope.consent_scope, d.charged),
    released_sets_digest: releasedSetsDigest(d.released_sets),
  };
  const honestRelease: QueryRelease = {
    scope: envelope.consent_scope,
    charged: d.charged,
    released_sets: d.released_sets,
  };
  const faulty = rt.aggregationFault?.(envelope.task_id, {
    aggregation: honest,
    release: honestRelease,
    noise: released.noise,
    noise_seed: noiseSeed,
  });
  const aggregation = faulty?.aggregation ?? honest;
  const release = faulty ? faulty.release : honestRelease;
  const built = buildTranscript({
    task_id: envelope.task_id,
    attempt: req.attempt,
    task_class: 'query',
    code_hash: QUERY_CODE_HASH,
    replay_context: replayContextOf(envelope, req.envelope_hash),
    inputs: replies.map((r) => r.input),
    output,
    resource_use: { records_scanned, fuel: 0, memory_bytes: 0 },
    details: {
      k_min: plan.k_min,
      epsilon_micro: plan.epsilon_micro,
      max_groups_per_subject: plan.max_groups_per_subject,
      noise: plan.components.map((c) => (c.scale ? `${c.kind}:${c.scale.t}/${c.scale.s}` : `${c.kind}:none`)).join(','),
      groups_released: d.groups_released,
      groups_suppressed: d.groups_suppressed,
      subjects_charged: d.charged.length,
      charged_digest: aggregation.charged_digest,
      released_sets_digest: aggregation.released_sets_digest,
      consent_scope: envelope.consent_scope,
      aggregation_hash: aggregationHash(aggregation),
    },
  });
  // Participants whose records were read are the task's data producers (they accepted to be named).
  const producers: string[] = [];
  if (envelope.spec.participation?.required) {
    const charged = new Set(d.charged);
    for (const subject of participantsOf(state, envelope.task_id, envelope.spec.participation.max_participants))
      if (charged.has(rt.pseudonymOf(subject))) producers.push(subject);
  }
  return {
    output,
    producers: producers.sort(),
    ...built,
    records_scanned,
    operators,
    ...(release ? { release } : {}),
    aggregation,
  };
}
