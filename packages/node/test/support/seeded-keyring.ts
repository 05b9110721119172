/**
 * A keyring whose chosen keys are the deterministic test actor keys (`actorKey`), so a test can sign
 * HTTP requests as an actor whose key a node also holds (a Vault operator registered with its
 * node's key). Every other key is an ordinary in-memory key.
 */
import { MemoryKeyring } from '../../src/adapters/memory-keyring.ts';
import type { KeyInfo, Keyring } from '../../src/ports/keyring.ts';
import { type ActorKey, actorKey } from './signed-requests.ts';

export class SeededKeyring implements Keyring {
  readonly #memory = new MemoryKeyring();
  readonly #seeded: Map<string, ActorKey>;

  /** `seeds` maps a key name to the actor id whose test key it is. */
  constructor(seeds: Record<string, string>) {
    this.#seeded = new Map(Object.entries(seeds).map(([name, actor]) => [name, actorKey(actor)]));
  }

  async ensureKey(name: string): Promise<KeyInfo> {
    const seeded = this.#seeded.get(name);
    return seeded ? { name, publicKeyHex: seeded.publicKeyHex } : this.#memory.ensureKey(name);
  }

  async publicKeyHex(name: string): Promise<string> {
    return this.#seeded.get(name)?.publicKeyHex ?? this.#memory.publicKeyHex(name);
  }

  async sign(name: string, bytes: Uint8Array): Promise<string> {
    const seeded = this.#seeded.get(name);
    return seeded ? Buffer.from(seeded.sign(bytes)).toString('hex') : this.#memory.sign(name, bytes);
  }

  async list(): Promise<KeyInfo[]> {
    const seeded = [...this.#seeded.entries()].map(([name, k]) => ({ name, publicKeyHex: k.publicKeyHex }));
    return [...seeded, ...(await this.#memory.list())].sort((a, b) => (a.name < b.name ? -1 : 1));
  }
}
