/**
 * Signing in: the actor's key file (the CLI's `{ actor_id, private_key_pkcs8 }`) is read in the
 * browser, and every request is signed here (RFC 9421 through the SDK, Ed25519 by @noble/ed25519).
 * The key stays in this tab's sessionStorage and is never sent anywhere.
 */
import * as ed from '@noble/ed25519';
import { SymphonyClient } from '@symphony/sdk';

const STORAGE_KEY = 'symphony-console-key';
const PKCS8_ED25519_PREFIX = '302e020100300506032b657004220420';
const ACTOR = /^act_[0-9a-z][0-9a-z_-]{0,62}$/;

/** A signed-in actor. */
export type Session = { actorId: string; publicKeyHex: string; client: SymphonyClient };

const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');

/** Parses a key file's text; throws an Error whose message says what to fix. */
export function parseKeyFile(text: string): { actorId: string; seed: Uint8Array } {
  let body: { actor_id?: unknown; private_key_pkcs8?: unknown };
  try {
    body = JSON.parse(text);
  } catch {
    throw new Error('This is not a key file: paste the JSON of ~/.symphony/keys/<actor>.json.');
  }
  if (typeof body.actor_id !== 'string' || !ACTOR.test(body.actor_id))
    throw new Error('The key file has no valid actor_id (act_…).');
  if (typeof body.private_key_pkcs8 !== 'string') throw new Error('The key file has no private_key_pkcs8.');
  let der: Uint8Array;
  try {
    der = Uint8Array.from(atob(body.private_key_pkcs8), (c) => c.charCodeAt(0));
  } catch {
    throw new Error('private_key_pkcs8 is not base64.');
  }
  if (der.length !== 48 || hex(der.subarray(0, 16)) !== PKCS8_ED25519_PREFIX)
    throw new Error('private_key_pkcs8 is not an Ed25519 private key.');
  return { actorId: body.actor_id, seed: der.slice(16) };
}

/** A session for a parsed key, talking to this page's origin. */
export function openSession(actorId: string, seed: Uint8Array, baseUrl = window.location.origin): Session {
  const client = new SymphonyClient({
    baseUrl,
    signer: { keyid: actorId, sign: (message) => ed.sign(message, seed) },
    retry: { attempts: 3 },
    timeoutMs: 15_000,
  });
  return { actorId, publicKeyHex: hex(ed.getPublicKey(seed)), client };
}

/** Keeps the key for this tab only. */
export function rememberKey(text: string): void {
  sessionStorage.setItem(STORAGE_KEY, text);
}

export function forgetKey(): void {
  sessionStorage.removeItem(STORAGE_KEY);
}

/** The session kept in this tab, if any. */
export function restoreSession(): Session | undefined {
  const text = sessionStorage.getItem(STORAGE_KEY);
  if (!text) return undefined;
  try {
    const { actorId, seed } = parseKeyFile(text);
    return openSession(actorId, seed);
  } catch {
    forgetKey();
    return undefined;
  }
}
