/**
 * The enclave side of a Query's noise check. The noise of a release is drawn from a secret seed
 * only enclaves derive, so a verifier cannot recompute it; it asks an enterprise node's enclave
 * (over the signed bus) to derive the seed for the task's envelope and attempt, recompute the
 * noise digest for the released keys, and attest the statement (commitment to the seed, digest).
 * Nothing returned reveals a draw: the commitment and the digest both hide the seed. The enclave
 * answers only for a query task its own copy of the log shows with that envelope.
 */
import {
  type AttestationEvidence,
  envelopeHash,
  expectedNoiseDigest,
  type NoiseRecomputation,
  noiseRecomputationHash,
  noiseSeedCommitment,
  planQuery,
  queryPolicyOf,
  replaySeedOf,
  type TaskEnvelope,
} from '@symphony/protocol';
import type { StateFollower } from '../../coordination/state-follower.ts';
import { PortError } from '../../ports/errors.ts';
import type { TeeProvider } from '../../ports/tee-provider.ts';
import type { NoiseSeedOf } from '../noise-seed.ts';

export type NoiseRecomputationRequest = {
  envelope: TaskEnvelope;
  envelope_hash: string;
  attempt: number;
  released_keys: string[];
  audience_drawn: boolean;
};

/** The statement and the enclave's attestation over `noiseRecomputationHash(statement)`. */
export type NoiseRecomputationReply = { statement: NoiseRecomputation; evidence: AttestationEvidence };

export type NoiseRecomputer = { follower: StateFollower; tee: TeeProvider; noiseSeedOf: NoiseSeedOf };

export async function recomputeNoise(
  rt: NoiseRecomputer,
  req: NoiseRecomputationRequest,
): Promise<NoiseRecomputationReply> {
  if (envelopeHash(req.envelope) !== req.envelope_hash)
    throw new PortError('not_a_query_task', 'envelope does not match its hash');
  const t = rt.follower.state.tasks[req.envelope.task_id];
  if (t?.class !== 'query' || t.envelope_hash !== req.envelope_hash || req.envelope.spec.kind !== 'query')
    throw new PortError('not_a_query_task', `task ${req.envelope.task_id} is not a query in this log`);
  const params = rt.follower.state.parameter_history.find((p) => p.policy_version === t.policy_version);
  if (!params) throw new PortError('unknown_policy_version', `no policy ${t.policy_version}`);
  const planned = planQuery(req.envelope.spec, queryPolicyOf(params));
  if (!planned.ok) throw new PortError(planned.refusal.code, planned.refusal.message);
  const noiseSeed = rt.noiseSeedOf('query-release', replaySeedOf(req.envelope_hash), req.attempt);
  const statement: NoiseRecomputation = {
    task_id: req.envelope.task_id,
    attempt: req.attempt,
    envelope_hash: req.envelope_hash,
    released_keys: [...req.released_keys],
    audience_drawn: req.audience_drawn,
    noise_seed_commitment: noiseSeedCommitment(noiseSeed),
    noise_digest: expectedNoiseDigest(planned.plan, req.released_keys, noiseSeed, req.audience_drawn),
  };
  return { statement, evidence: await rt.tee.attest(noiseRecomputationHash(statement)) };
}
