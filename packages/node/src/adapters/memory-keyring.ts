/** Keys held in process memory only: for tests and throwaway embedded networks. */
import type { KeyObject } from 'node:crypto';
import { PortError } from '../ports/errors.ts';
import type { KeyInfo, Keyring, KeyringErrorCode } from '../ports/keyring.ts';
import { generateEd25519PrivateKey, publicKeyHexOf, signEd25519 } from './ed25519.ts';
import { checkKeyName, compareNames } from './key-name.ts';

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

  #get(name: string): { privateKey: KeyObject; publicKeyHex: string } {
    checkKeyName(name);
    const key = this.#keys.get(name);
    if (!key) throw new PortError<KeyringErrorCode>('key_not_found', `no key named ${name}`);
    return key;
  }
}
