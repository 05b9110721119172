/**
 * Sealed audience handles: the pseudonyms an audience query selected, encrypted (AES-256-GCM)
 * under a key only the enclaves derive, bound to the task. The submitter gets the handle and the
 * noisy eligible count, never identities; a Vault's node opens the handle to find which of its own
 * subjects to deliver to (coupons, offers) downstream. The nonce is derived from the release's
 * secret noise seed (one per task and attempt), so a re-execution produces the same bytes and two
 * attempts never reuse a nonce (one plaintext per nonce and key).
 */
import { createCipheriv, createDecipheriv, createHash } from 'node:crypto';

const PREFIX = 'aud1.';

export function sealAudience(key: Buffer, task_id: string, seed: string, members: readonly string[]): string {
  const nonce = createHash('sha256').update(`scp/v1/audience-nonce\u0000${seed}`).digest().subarray(0, 12);
  const cipher = createCipheriv('aes-256-gcm', key, nonce);
  cipher.setAAD(Buffer.from(task_id));
  const body = Buffer.concat([cipher.update(JSON.stringify(members)), cipher.final(), cipher.getAuthTag()]);
  return `${PREFIX}${Buffer.concat([nonce, body]).toString('base64url')}`;
}

/** Opens a handle inside an enclave; throws `invalid_audience_handle` on any tampering or wrong task. */
export function openAudience(key: Buffer, task_id: string, handle: string): string[] {
  try {
    if (!handle.startsWith(PREFIX)) throw new Error('prefix');
    const raw = Buffer.from(handle.slice(PREFIX.length), 'base64url');
    const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, 12));
    decipher.setAAD(Buffer.from(task_id));
    decipher.setAuthTag(raw.subarray(raw.length - 16));
    const text = Buffer.concat([decipher.update(raw.subarray(12, raw.length - 16)), decipher.final()]).toString();
    return JSON.parse(text) as string[];
  } catch {
    throw Object.assign(new Error('the audience handle does not open for this task'), {
      code: 'invalid_audience_handle',
    });
  }
}
