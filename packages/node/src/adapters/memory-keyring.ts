/** Keys held in process memory only: for tests and throwaway embedded networks. */
import { createPrivateKey, type KeyObject } from 'node:crypto';
import { PortError } from '../ports/errors.ts';
import type { KeyInfo, Keyring, KeyringErrorCode } from '../ports/keyring.ts';
import { generateEd25519PrivateKey, publicKeyHexOf, signEd25519 } from './ed25519.ts';
import { checkKeyName, compareNames } from './key-name.ts';

/** A private key in PKCS#8 DER, to hand a `MemoryKeyring`'s keys to another thread of this process. */
export type ExportedKey = { readonly name: string; readonly pkcs8: Uint8Array };

/** `Keyring` in memory; the keys die with the instance. */
export class MemoryKeyring implements Keyring {
  readonly #keys = new Map<string, { privateKey: KeyObject; publicKeyHex: string }>();

  async ensureKey(name: string): Promise<KeyInfo> {
    checkKeyName(name);
    let key = this.#keys.get(name);
    if (!key) {
      const privateKey = generateEd25519PrivateKey();
      key = { privateKey, publicKeyHex: publicKeyHexOf(privateKey) };
      this.#keys.set(name, key);
    }
    return { name, publicKeyHex: key.publicKeyHex };
  }

  async publicKeyHex(name: string): Promise<string> {
    return this.#get(name).publicKeyHex;
  }

  async sign(name: string, bytes: Uint8Array): Promise<string> {
    return signEd25519(this.#get(name).privateKey, bytes);
  }

  async list(): Promise<KeyInfo[]> {
    return [...this.#keys.entries()]
      .map(([name, key]) => ({ name, publicKeyHex: key.publicKeyHex }))
      .sort(compareNames);
  }

  /**
   * Every private key, for another thread of this process that must sign with the same keys
   * (the embedded network's pipeline worker); the bytes must not be written anywhere.
   */
  exportKeys(): ExportedKey[] {
    return [...this.#keys.entries()].map(([name, key]) => ({
      name,
      pkcs8: new Uint8Array(key.privateKey.export({ format: 'der', type: 'pkcs8' })),
    }));
  }

  /** Adds keys exported by another `MemoryKeyring`; a name already held must hold the same key. */
  importKeys(keys: readonly ExportedKey[]): void {
    for (const { name, pkcs8 } of keys) {
      checkKeyName(name);
      const privateKey = createPrivateKey({ key: Buffer.from(pkcs8), format: 'der', type: 'pkcs8' });
      const publicKeyHex = publicKeyHexOf(privateKey);
      const held = this.#keys.get(name);
      if (held && held.publicKeyHex !== publicKeyHex) throw new RangeError(`key ${name} differs from the one held`);
      if (!held) this.#keys.set(name, { privateKey, publicKeyHex });
    }
  }

  #get(name: string): { privateKey: KeyObject; publicKeyHex: string } {
    checkKeyName(name);
    const key = this.#keys.get(name);
    if (!key) throw new PortError<KeyringErrorCode>('key_not_found', `no key named ${name}`);
    return key;
  }
}
