/**
 * The aggregation transcript of a Query: what the aggregation enclave states about one release,
 * sealed with the execution transcript (its hash is the transcript's `details.aggregation_hash`).
 * It carries commitments only, never a partial or a true count:
 * - each Vault's partial as the hash of its sealed (encrypted) form, signed by that Vault's enclave
 *   together with the snapshot it was computed from;
 * - the suppression decision: `k_min`, the released group keys (they are in the released output
 *   anyway) and how many groups were suppressed; the released groups' pseudonym sets are in the
 *   log's `query_release_decided`, so their relation to `k_min` is checkable without more;
 * - the noise: a commitment to the secret noise seed and a digest of every value drawn under it.
 *   The noise seed is derived from the replay seed under a key only enclaves hold (never the public
 *   replay seed itself: anyone could then recompute the noise and subtract it), and the digest
 *   includes it, so neither lets anyone outside an enclave recompute or brute-force a draw. A
 *   verifier has an enclave recompute both (`expectedNoiseDigest`) and compares them
 *   (`checkNoiseRecomputation`);
 * - the budget: the digests of the charge and the released sets the log must show.
 * `checkQueryAggregation` is the verifier's pure check of it against the log.
 */
import { verifyEd25519 } from '../crypto/ed25519.ts';
import { digestBytes } from '../crypto/signing-digests.ts';
import { domainHash, type Hex64 } from '../hashing/domain-hash.ts';
import type { ExecutionReceipt } from '../objects/execution-receipt.ts';
import { type ExecutionTranscript, transcriptHash } from '../objects/execution-transcript.ts';
import type { ParameterSet } from '../objects/parameter-set.ts';
import type { TaskEnvelope } from '../objects/task-envelope.ts';
import { sampleDiscreteLaplace } from '../privacy/discrete-laplace.ts';
import { SeededIntegers } from '../privacy/seeded-integers.ts';
import { planQuery, type QueryPlan } from '../query/query-plan.ts';
import { queryPolicyOf } from '../query/query-policy.ts';
import type { NoiseDraw } from '../query/release-query.ts';
import type { ProtocolState } from '../reducer/state.ts';

export const QueryAggregationTags = {
  aggregation: 'scp/v1/query-aggregation',
  partialCommitment: 'scp/v1/query-partial-commitment',
  sealedPartial: 'scp/v1/query-sealed-partial',
  noise: 'scp/v1/query-noise',
  charges: 'scp/v1/query-charges',
  releasedSets: 'scp/v1/query-released-sets',
  replaySeed: 'scp/v1/replay-seed',
  noiseSeedCommitment: 'scp/v1/query-noise-seed-commitment',
  noiseRecomputation: 'scp/v1/query-noise-recomputation',
} as const;

/**
 * The deterministic, public seed of a task's replay context. DP noise is never drawn from it
 * directly: enclaves derive the secret noise seed from it (see `noiseSeedCommitment`).
 */
export const replaySeedOf = (envelope_hash: string): Hex64 =>
  domainHash(QueryAggregationTags.replaySeed, { envelope_hash });

/** A Vault enclave's commitment to the partial it sealed to the aggregator, and its signature. */
export type PartialCommitment = {
  vault_id: string;
  as_of_seq: number;
  records_root: string;
  /** `sealedPartialHash` of the sealed (encrypted) partial: never a hash of the plaintext. */
  commitment: string;
  /** The Vault enclave's Ed25519 signature over `partialCommitmentDigest`. */
  signature: string;
};

/** The hash of a sealed partial (ephemeral key, nonce, ciphertext, Vault), as the commitment. */
export const sealedPartialHash = (sealed: unknown): Hex64 => domainHash(QueryAggregationTags.sealedPartial, sealed);

/** The bytes a Vault's enclave signs to commit to its partial for (task, attempt). */
export const partialCommitmentDigest = (
  task_id: string,
  attempt: number,
  c: Omit<PartialCommitment, 'signature'>,
): Uint8Array =>
  digestBytes(
    domainHash(QueryAggregationTags.partialCommitment, {
      task_id,
      attempt,
      vault_id: c.vault_id,
      as_of_seq: c.as_of_seq,
      records_root: c.records_root,
      commitment: c.commitment,
    }),
  );

export type QueryAggregation = {
  task_id: string;
  attempt: number;
  /** `noiseSeedCommitment` of the secret seed the noise was drawn from (never the seed itself). */
  noise_seed_commitment: string;
  /** One per target Vault, sorted by Vault. */
  partials: PartialCommitment[];
  k_min: number;
  /** `groupKeyText` of each released group, in release order. */
  released_keys: string[];
  groups_suppressed: number;
  /** `noiseDigest` of every value drawn. */
  noise_digest: string;
  epsilon_micro: number;
  /** `chargesDigest` of the charge the log must show. */
  charged_digest: string;
  /** `releasedSetsDigest` of the released groups' pseudonym sets the log must show. */
  released_sets_digest: string;
};

/** The hash the execution transcript's `details.aggregation_hash` carries. */
export const aggregationHash = (a: QueryAggregation): Hex64 => domainHash(QueryAggregationTags.aggregation, a);

/**
 * The published commitment to a secret noise seed: binding, and hiding because the seed is a
 * 256-bit HMAC output nobody outside the enclaves can compute.
 */
export const noiseSeedCommitment = (noise_seed: string): Hex64 =>
  domainHash(QueryAggregationTags.noiseSeedCommitment, { noise_seed });

/** Digest of drawn noise, independent of draw order (hiding: it includes the secret seed). */
export const noiseDigest = (seed: string, draws: readonly NoiseDraw[]): Hex64 =>
  domainHash(QueryAggregationTags.noise, {
    seed,
    draws: [...draws].sort((a, b) => (a.label < b.label ? -1 : a.label > b.label ? 1 : 0)),
  });

export const chargesDigest = (scope: string, charged: readonly string[]): Hex64 =>
  domainHash(QueryAggregationTags.charges, { scope, charged });

export const releasedSetsDigest = (sets: readonly (readonly string[])[]): Hex64 =>
  domainHash(QueryAggregationTags.releasedSets, sets);

/**
 * The noise values a release must have drawn: per released group and noisy component, per
 * histogram bucket, and the audience count when an audience was selected (labels as
 * `releaseQuery` draws them).
 */
export function expectedNoiseDraws(
  plan: QueryPlan,
  releasedKeys: readonly string[],
  seed: string,
  audienceDrawn: boolean,
): NoiseDraw[] {
  const draws: NoiseDraw[] = [];
  const draw = (label: string, scale: NonNullable<QueryPlan['components'][number]['scale']>) =>
    draws.push({ label, value: sampleDiscreteLaplace(new SeededIntegers(seed, label), scale) });
  for (const text of releasedKeys) {
    plan.components.forEach((c, ci) => {
      if (c.scale) draw(`${ci}\u0000${text}`, c.scale);
    });
    plan.components.forEach((c, ci) => {
      if (c.kind !== 'histogram' || !c.scale) return;
      for (let b = 0; b < c.layout!.buckets; b++) draw(`${ci}\u0000${text}\u0000${b}`, c.scale);
    });
  }
  if (audienceDrawn && plan.audience?.scale) draw('audience', plan.audience.scale);
  return draws;
}

/** The noise digest a release under `noiseSeed` must publish (what a verifying enclave recomputes). */
export const expectedNoiseDigest = (
  plan: QueryPlan,
  releasedKeys: readonly string[],
  noiseSeed: string,
  audienceDrawn: boolean,
): Hex64 => noiseDigest(noiseSeed, expectedNoiseDraws(plan, releasedKeys, noiseSeed, audienceDrawn));

/** Whether a release drew the audience count's noise: an audience was asked and k_min subjects were read. */
export const audienceDrawnOf = (plan: QueryPlan, release: Pick<LoggedRelease, 'charged'>): boolean =>
  plan.audience !== undefined && release.charged.length >= plan.k_min;

/**
 * What a verifying enclave states about a release's noise: for the task's envelope, attempt,
 * released keys and audience decision, the commitment to the noise seed it derived and the noise
 * digest it recomputed. Its hash is the report data of the enclave's attestation.
 */
export type NoiseRecomputation = {
  task_id: string;
  attempt: number;
  envelope_hash: string;
  released_keys: string[];
  audience_drawn: boolean;
  noise_seed_commitment: string;
  noise_digest: string;
};

export const noiseRecomputationHash = (r: NoiseRecomputation): Hex64 =>
  domainHash(QueryAggregationTags.noiseRecomputation, r);

/** The release the log recorded for the task (`query_release_decided`). */
export type LoggedRelease = { attempt: number; scope: string; charged: string[]; released_sets: string[][] };

export type QueryAggregationCheck = {
  state: ProtocolState;
  envelope: TaskEnvelope;
  envelope_hash: string;
  receipt: ExecutionReceipt;
  /** The sealed execution transcript (its seal and attestation are checked by the caller). */
  transcript: ExecutionTranscript;
  aggregation: QueryAggregation | undefined;
  /** The log's `query_release_decided` for the receipt's attempt, if any. */
  release: LoggedRelease | undefined;
  policy: ParameterSet;
};

/** The verdict of an aggregation transcript check: ok, or a stable reason code. */
export type AggregationVerdict = { ok: true } | { ok: false; reason_code: AggregationRejection };

/** Why an aggregation transcript is rejected: each proves a fault of the executing enclave. */
export const AGGREGATION_REJECTIONS = [
  'transcript_unbound',
  'aggregation_missing',
  'partial_missing',
  'partial_signature_invalid',
  'noise_seed_not_derived',
  'budget_not_charged',
  'suppression_inconsistent',
  'noise_mismatch',
  'round_missing',
  'update_missing',
  'received_signature_invalid',
  'model_hash_mismatch',
  'training_transcript_mismatch',
] as const;
export type AggregationRejection = (typeof AGGREGATION_REJECTIONS)[number];

const reject = (reason_code: AggregationRejection): AggregationVerdict => ({ ok: false, reason_code });

/** Whether an enclave registered by the node hosting `vault_id` signed `digest`. */
export function vaultEnclaveSigned(
  state: ProtocolState,
  vault_id: string,
  digest: Uint8Array,
  signature: string,
): boolean {
  const node = state.vaults[vault_id]?.node_id;
  const enclaves = node ? (state.enterprise_nodes[node]?.enclaves ?? []) : [];
  return enclaves.some((e) => verifyEd25519(e.enclave_public_key, digest, signature));
}

function partialsProblem(c: QueryAggregationCheck, a: QueryAggregation): AggregationVerdict | undefined {
  const targets = [...c.envelope.targets.vault_ids].sort();
  const committed = a.partials.map((p) => p.vault_id).sort();
  if (committed.length !== targets.length || committed.some((v, i) => v !== targets[i]))
    return reject('partial_missing');
  for (const p of a.partials) {
    const input = c.transcript.inputs.find((i) => i.vault_id === p.vault_id);
    if (!input || input.as_of_seq !== p.as_of_seq || input.records_root !== p.records_root)
      return reject('partial_missing');
    const { signature, ...unsigned } = p;
    if (!vaultEnclaveSigned(c.state, p.vault_id, partialCommitmentDigest(a.task_id, a.attempt, unsigned), signature))
      return reject('partial_signature_invalid');
  }
  if (c.transcript.inputs.length !== targets.length) return reject('partial_missing');
  return undefined;
}

/**
 * Checks a Query's aggregation transcript against the log: every target Vault's partial accounted
 * for (committed and signed by its enclave, matching the transcript's inputs), the replay seed
 * derived from the envelope, the budget charged in the log for this attempt (every read and
 * released subject, the policy's epsilon), and suppression consistent with the policy's `k_min`.
 * The noise needs the secret seed, so it is checked by `checkNoiseRecomputation` against an
 * enclave's recomputation.
 */
export function checkQueryAggregation(c: QueryAggregationCheck): AggregationVerdict {
  const { transcript: tr, receipt } = c;
  if (transcriptHash(tr) !== receipt.transcript_hash || tr.output_hash !== receipt.output_hash)
    return reject('transcript_unbound');
  const a = c.aggregation;
  if (!a || aggregationHash(a) !== tr.details.aggregation_hash) return reject('aggregation_missing');
  if (a.task_id !== receipt.task_id || a.attempt !== receipt.attempt) return reject('aggregation_missing');
  const partials = partialsProblem(c, a);
  if (partials) return partials;
  if (tr.replay_context.seed !== replaySeedOf(c.envelope_hash)) return reject('noise_seed_not_derived');
  if (c.envelope.spec.kind !== 'query') return reject('aggregation_missing');
  const planned = planQuery(c.envelope.spec, queryPolicyOf(c.policy));
  if (!planned.ok) return reject('suppression_inconsistent');
  const plan = planned.plan;

  const r = c.release;
  const t = c.state.tasks[receipt.task_id];
  if (!r || r.attempt !== receipt.attempt || t?.release?.attempt !== receipt.attempt)
    return reject('budget_not_charged');
  if (t.release.outcome !== 'granted' || r.scope !== c.envelope.consent_scope) return reject('budget_not_charged');
  if (chargesDigest(r.scope, r.charged) !== a.charged_digest) return reject('budget_not_charged');
  if (a.epsilon_micro !== plan.epsilon_micro || t.release.epsilon_micro !== plan.epsilon_micro)
    return reject('budget_not_charged');
  const charged = new Set(r.charged);
  if (r.released_sets.some((s) => s.some((p) => !charged.has(p)))) return reject('budget_not_charged');

  if (a.k_min !== plan.k_min || tr.details.k_min !== plan.k_min) return reject('suppression_inconsistent');
  if (releasedSetsDigest(r.released_sets) !== a.released_sets_digest) return reject('suppression_inconsistent');
  if (r.released_sets.length !== a.released_keys.length || tr.details.groups_released !== a.released_keys.length)
    return reject('suppression_inconsistent');
  if (tr.details.groups_suppressed !== a.groups_suppressed) return reject('suppression_inconsistent');
  if (r.released_sets.some((s) => new Set(s).size < plan.k_min)) return reject('suppression_inconsistent');
  return { ok: true };
}

/**
 * The noise half of the check, once an enclave (whose attestation over
 * `noiseRecomputationHash(recomputed)` the caller verified) recomputed it for this aggregation's
 * task, attempt and released keys: the seed commitment must be the one that enclave derived
 * (`noise_seed_not_derived`), and the digest the one its draws give (`noise_mismatch`).
 */
export function checkNoiseRecomputation(a: QueryAggregation, recomputed: NoiseRecomputation): AggregationVerdict {
  if (
    recomputed.task_id !== a.task_id ||
    recomputed.attempt !== a.attempt ||
    recomputed.released_keys.length !== a.released_keys.length ||
    recomputed.released_keys.some((k, i) => k !== a.released_keys[i])
  )
    return reject('aggregation_missing');
  if (recomputed.noise_seed_commitment !== a.noise_seed_commitment) return reject('noise_seed_not_derived');
  if (recomputed.noise_digest !== a.noise_digest) return reject('noise_mismatch');
  return { ok: true };
}
