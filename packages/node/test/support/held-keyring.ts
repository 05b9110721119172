/** A keyring for tests in which some masters hold back their signatures. */
import { MemoryKeyring } from '../../src/adapters/memory-keyring.ts';
import type { Keyring } from '../../src/ports/keyring.ts';

/** A keyring whose signatures by the held keys wait until `release()` (a master that has not signed yet). */
export class HeldKeyring implements Keyring {
  readonly inner = new MemoryKeyring();
  readonly #held: Set<string>;
  #release!: () => void;
  readonly #released = new Promise<void>((resolve) => {
    this.#release = resolve;
  });

  constructor(held: string[]) {
    this.#held = new Set(held);
  }
  release(): void {
    this.#release();
  }
  ensureKey(name: string) {
    return this.inner.ensureKey(name);
  }
  publicKeyHex(name: string) {
    return this.inner.publicKeyHex(name);
  }
  async sign(name: string, bytes: Uint8Array) {
    if (this.#held.has(name)) await this.#released;
    return this.inner.sign(name, bytes);
  }
  list() {
    return this.inner.list();
  }
}
