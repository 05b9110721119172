/**
 * Keyed subject pseudonyms: HMAC-SHA256 of the subject under a network-wide key that only the
 * enclaves hold, truncated to 128 bits. The same subject in two Vaults (on two nodes) gets the same
 * pseudonym, so the aggregator counts it once and the budget ledger charges it once; without the key
 * nobody can link a pseudonym to a subject or compute one for a guessed subject.
 *
 * Key provisioning: the key is derived from a deterministic Ed25519 signature by the network's
 * enclave root key (`query-pseudonym-root`) held in the enclaves' keyring, the software stand-in
 * for key release to attested enclaves.
 */
import { createHmac, hkdfSync } from 'node:crypto';
import type { Keyring } from '../../ports/keyring.ts';

export const PSEUDONYM_ROOT_KEY = 'query-pseudonym-root';

export type PseudonymOf = (subject: string) => string;

/** The enclaves' shared root secret (see the file comment), from which purpose keys are derived. */
export async function enclaveRoot(keyring: Keyring): Promise<Buffer> {
  await keyring.ensureKey(PSEUDONYM_ROOT_KEY);
  const signature = await keyring.sign(PSEUDONYM_ROOT_KEY, new TextEncoder().encode('scp/v1/query-pseudonym-key'));
  return Buffer.from(signature, 'hex');
}

/** The key that seals audience handles (only enclaves, hence only Vault nodes, can open them). */
export async function loadAudienceKey(keyring: Keyring): Promise<Buffer> {
  return Buffer.from(hkdfSync('sha256', await enclaveRoot(keyring), Buffer.alloc(0), 'scp/v1/audience-handle', 32));
}

/** Loads (creating once) the network pseudonym key and returns the keyed pseudonym function. */
export async function loadPseudonymizer(keyring: Keyring): Promise<PseudonymOf> {
  const key = Buffer.from(
    hkdfSync('sha256', await enclaveRoot(keyring), Buffer.alloc(0), 'scp/v1/query-pseudonym', 32),
  );
  const cache = new Map<string, string>();
  return (subject) => {
    let p = cache.get(subject);
    if (p === undefined) {
      p = createHmac('sha256', key).update(subject).digest('hex').slice(0, 32);
      if (cache.size > 2_000_000) cache.clear();
      cache.set(subject, p);
    }
    return p;
  };
}
