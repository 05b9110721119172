/**
 * Keys as PKCS#8 PEM files under `<dataDir>/keys/<name>.pem` (file mode 0600, directory 0700).
 * Creation is atomic (write a temporary file, then hard-link it into place), so concurrent
 * `ensureKey` calls, even from several processes, end up with one key.
 */

import type { KeyObject } from 'node:crypto';
import { randomBytes } from 'node:crypto';
import { chmod, link, mkdir, open, readdir, readFile, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { PortError } from '../ports/errors.ts';
import { KEY_NAME_PATTERN, type KeyInfo, type Keyring, type KeyringErrorCode } from '../ports/keyring.ts';
import {
  generateEd25519PrivateKey,
  privateKeyFromPem,
  privateKeyToPem,
  publicKeyHexOf,
  signEd25519,
} from './ed25519.ts';
import { checkKeyName, compareNames } from './key-name.ts';

/** Options of `FileKeyring`. */
export type FileKeyringOptions = {
  /** The node's data directory; keys live in its `keys/` subdirectory. */
  readonly dataDir: string;
};

type LoadedKey = { readonly privateKey: KeyObject; readonly publicKeyHex: string };

const PEM_SUFFIX = '.pem';

/** `Keyring` over PEM files. A key file readable by group or others is refused (`key_unreadable`). */
export class FileKeyring implements Keyring {
  /** The directory holding the key files. */
  readonly keysDir: string;
  readonly #cache = new Map<string, LoadedKey>();
  #dirReady: Promise<void> | undefined;

  constructor(opts: FileKeyringOptions) {
    this.keysDir = join(opts.dataDir, 'keys');
  }

  async ensureKey(name: string): Promise<KeyInfo> {
    checkKeyName(name);
    const existing = await this.#load(name);
    if (existing) return { name, publicKeyHex: existing.publicKeyHex };
    await this.#ensureDir();
    const path = this.#path(name);
    const tmp = join(this.keysDir, `.${name}.${randomBytes(8).toString('hex')}.tmp`);
    const file = await open(tmp, 'wx', 0o600);
    try {
      await file.writeFile(privateKeyToPem(generateEd25519PrivateKey()));
      await file.sync();
    } finally {
      await file.close();
    }
    try {
      await link(tmp, path);
      await syncDir(this.keysDir);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    } finally {
      await unlink(tmp);
    }
    const created = await this.#load(name);
    if (!created) throw new PortError<KeyringErrorCode>('key_unreadable', `key ${name} vanished after creation`);
    return { name, publicKeyHex: created.publicKeyHex };
  }

  async publicKeyHex(name: string): Promise<string> {
    return (await this.#require(name)).publicKeyHex;
  }

  async sign(name: string, bytes: Uint8Array): Promise<string> {
    return signEd25519((await this.#require(name)).privateKey, bytes);
  }

  async list(): Promise<KeyInfo[]> {
    let files: string[];
    try {
      files = await readdir(this.keysDir);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    const names = files
      .filter((f) => f.endsWith(PEM_SUFFIX))
      .map((f) => f.slice(0, -PEM_SUFFIX.length))
      .filter((n) => KEY_NAME_PATTERN.test(n));
    const keys: KeyInfo[] = [];
    for (const name of names) {
      const key = await this.#load(name);
      if (key) keys.push({ name, publicKeyHex: key.publicKeyHex });
    }
    return keys.sort(compareNames);
  }

  async #require(name: string): Promise<LoadedKey> {
    checkKeyName(name);
    const key = await this.#load(name);
    if (!key) throw new PortError<KeyringErrorCode>('key_not_found', `no key named ${name}`);
    return key;
  }

  /** The key from cache or disk, or undefined when there is no file. */
  async #load(name: string): Promise<LoadedKey | undefined> {
    const cached = this.#cache.get(name);
    if (cached) return cached;
    const path = this.#path(name);
    let mode: number;
    try {
      mode = (await stat(path)).mode;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
    if ((mode & 0o077) !== 0) {
      throw new PortError<KeyringErrorCode>(
        'key_unreadable',
        `key file for ${name} is accessible by group or others (mode ${(mode & 0o777).toString(8)}); expected 600`,
      );
    }
    let privateKey: KeyObject;
    try {
      privateKey = privateKeyFromPem(await readFile(path, 'utf8'));
    } catch (error) {
      throw new PortError<KeyringErrorCode>('key_unreadable', `key file for ${name} is not an Ed25519 PKCS#8 PEM key`, {
        cause: error,
      });
    }
    const key = { privateKey, publicKeyHex: publicKeyHexOf(privateKey) };
    this.#cache.set(name, key);
    return key;
  }

  #path(name: string): string {
    return join(this.keysDir, `${name}${PEM_SUFFIX}`);
  }

  #ensureDir(): Promise<void> {
    this.#dirReady ??= (async () => {
      await mkdir(this.keysDir, { recursive: true, mode: 0o700 });
      const { mode } = await stat(this.keysDir);
      if ((mode & 0o077) !== 0) await chmod(this.keysDir, 0o700);
    })().catch((error: unknown) => {
      this.#dirReady = undefined;
      throw error;
    });
    return this.#dirReady;
  }
}

async function syncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
