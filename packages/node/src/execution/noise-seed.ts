/**
 * The secret seed of differential-privacy noise. The public replay seed (`replay_context.seed`,
 * a hash of the envelope) cannot seed DP noise: anyone holding the envelope could recompute every
 * draw and subtract it from the released values. The noise seed is instead HMAC-SHA256 of
 * (purpose, replay seed, attempt) under a key derived (HKDF) from the enclaves' shared root secret
 * (`enclaveRoot`), so only enclaves can compute it; every enclave computes the same one, so a
 * re-execution or a verifying enclave reproduces the draws bit for bit. Distinct per task and
 * attempt, so two releases never share noise (no differencing of two noisy results).
 */
import { createHmac, hkdfSync } from 'node:crypto';
import type { Keyring } from '../ports/keyring.ts';
import { enclaveRoot } from './query/subject-pseudonyms.ts';

/** What a noise seed is for: a Query release or a Train aggregation (never the same stream). */
export type NoisePurpose = 'query-release' | 'train-dp';

/** The secret noise seed (64 hex) of a (purpose, replay seed, attempt). */
export type NoiseSeedOf = (purpose: NoisePurpose, replaySeed: string, attempt: number) => string;

/** Loads the enclaves' noise key and returns the secret seed derivation. */
export async function loadNoiseSeeder(keyring: Keyring): Promise<NoiseSeedOf> {
  const key = Buffer.from(hkdfSync('sha256', await enclaveRoot(keyring), Buffer.alloc(0), 'scp/v1/dp-noise-seed', 32));
  return (purpose, replaySeed, attempt) =>
    createHmac('sha256', key).update(`scp/v1/${purpose}\u0000${replaySeed}\u0000${attempt}`).digest('hex');
}
