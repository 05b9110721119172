/**
 * The CLI's actor keys: one JSON file per actor (`<dir>/<actor_id>.json`, mode 0600) holding the
 * actor id, the raw Ed25519 public key (hex) and the PKCS#8 private key (base64). The directory is
 * `$SYMPHONY_HOME/keys`, by default `~/.symphony/keys`; the demo keeps its own under its data folder.
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject, sign } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { RequestSigner } from '@symphony/api';

/** The actor the CLI signs as when neither `--as` nor `SYMPHONY_ACTOR` names one and several keys exist. */
export const DEFAULT_ACTOR = 'act_local';
const ACTOR_PATTERN = /^act_[0-9a-z][0-9a-z_-]{0,62}$/;

/** A loaded key: it signs requests as `keyid`. */
export type ActorKeyPair = RequestSigner & { publicKeyHex: string };

/** The key directory for an environment. */
export function keyDirOf(env: Readonly<Record<string, string | undefined>>): string {
  return join(env.SYMPHONY_HOME ?? join(homedir(), '.symphony'), 'keys');
}

function rawPublicKey(privateKey: KeyObject): string {
  const spki = createPublicKey(privateKey).export({ format: 'der', type: 'spki' });
  return Buffer.from(spki.subarray(spki.length - 32)).toString('hex');
}

/** Actor keys in one directory. */
export class KeyStore {
  constructor(readonly dir: string) {}

  #file(actorId: string): string {
    if (!ACTOR_PATTERN.test(actorId)) throw new Error(`${actorId} is not an actor id (act_ then a-z, 0-9, _ or -)`);
    return join(this.dir, `${actorId}.json`);
  }

  /** Creates a key for `actorId`; fails if one exists (keys are never overwritten). */
  create(actorId: string): ActorKeyPair {
    const file = this.#file(actorId);
    if (existsSync(file)) throw new Error(`a key for ${actorId} already exists in ${this.dir}`);
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    const { privateKey } = generateKeyPairSync('ed25519');
    const body = {
      actor_id: actorId,
      public_key: rawPublicKey(privateKey),
      private_key_pkcs8: privateKey.export({ format: 'der', type: 'pkcs8' }).toString('base64'),
    };
    writeFileSync(file, `${JSON.stringify(body, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
    chmodSync(file, 0o600);
    return this.load(actorId)!;
  }

  /** The key of `actorId`, creating it when missing. */
  ensure(actorId: string): ActorKeyPair {
    return this.load(actorId) ?? this.create(actorId);
  }

  /** The key of `actorId`, or undefined when there is none. */
  load(actorId: string): ActorKeyPair | undefined {
    const file = this.#file(actorId);
    if (!existsSync(file)) return undefined;
    const body = JSON.parse(readFileSync(file, 'utf8')) as { actor_id: string; private_key_pkcs8: string };
    const privateKey = createPrivateKey({
      key: Buffer.from(body.private_key_pkcs8, 'base64'),
      format: 'der',
      type: 'pkcs8',
    });
    return {
      keyid: actorId,
      publicKeyHex: rawPublicKey(privateKey),
      sign: (bytes) => sign(null, bytes, privateKey),
    };
  }

  /** Every key's actor id and public key, sorted by actor id. */
  list(): { actor_id: string; public_key: string }[] {
    if (!existsSync(this.dir)) return [];
    return readdirSync(this.dir)
      .filter((f) => f.endsWith('.json') && ACTOR_PATTERN.test(f.slice(0, -5)))
      .sort()
      .map((f) => {
        const key = this.load(f.slice(0, -5))!;
        return { actor_id: key.keyid, public_key: key.publicKeyHex };
      });
  }

  /** The actor to sign as: `preferred`, else the only key, else {@link DEFAULT_ACTOR}. */
  defaultActor(preferred?: string): string {
    if (preferred) return preferred;
    const keys = this.list();
    return keys.length === 1 ? keys[0]!.actor_id : DEFAULT_ACTOR;
  }
}
