/**
 * `Keyring`: the Ed25519 keys a node signs with (its node key, actor keys). Private keys never
 * leave the keyring; callers get public keys and signatures as lowercase hex.
 */

/** Valid key names: lowercase, digits, `.`, `_`, `-`; 1 to 64 characters; no leading punctuation. */
export const KEY_NAME_PATTERN = /^[a-z0-9][a-z0-9._-]{0,63}$/;

/** A key's name and its raw 32-byte Ed25519 public key as 64 hex digits. */
export type KeyInfo = { readonly name: string; readonly publicKeyHex: string };

/** Stable codes of the errors a keyring throws. */
export const keyringErrorCodes = ['invalid_key_name', 'key_not_found', 'key_unreadable'] as const;
/** Stable codes of the errors a keyring throws. */
export type KeyringErrorCode = (typeof keyringErrorCodes)[number];

/** Ed25519 node and actor keys. */
export interface Keyring {
  /** Creates the key `name` the first time (concurrent callers get one key), then returns the same key. */
  ensureKey(name: string): Promise<KeyInfo>;
  /** The public key of `name`; rejects with `key_not_found`. */
  publicKeyHex(name: string): Promise<string>;
  /** Signs `bytes` with `name` (Ed25519, 64-byte signature as 128 hex digits); rejects with `key_not_found`. */
  sign(name: string, bytes: Uint8Array): Promise<string>;
  /** Every key, sorted by name. */
  list(): Promise<KeyInfo[]>;
}
