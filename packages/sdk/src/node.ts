/**
 * Node-only helpers: signers from a key file (the CLI's format: `{ actor_id, private_key_pkcs8 }`,
 * base64 PKCS#8 DER, as `symphony keys` writes them) or from a `KeyObject`.
 */
import { createPrivateKey, createPublicKey, type KeyObject, sign } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { RequestSigner } from '@symphony/api';

/** A signer that also knows its raw Ed25519 public key (hex), as actor registration needs it. */
export type ActorSigner = RequestSigner & { publicKeyHex: string };

/** A signer for `actorId` from an Ed25519 private `KeyObject`. */
export function signerFromKeyObject(actorId: string, privateKey: KeyObject): ActorSigner {
  if (privateKey.type !== 'private' || privateKey.asymmetricKeyType !== 'ed25519')
    throw new TypeError('the key must be an Ed25519 private key');
  const spki = createPublicKey(privateKey).export({ format: 'der', type: 'spki' });
  return {
    keyid: actorId,
    publicKeyHex: Buffer.from(spki.subarray(spki.length - 32)).toString('hex'),
    sign: (bytes) => sign(null, bytes, privateKey),
  };
}

/** A signer from a key file: `{ "actor_id": "act_…", "private_key_pkcs8": "<base64 DER>" }` (PEM also accepted as `private_key_pem`). */
export function signerFromKeyFile(path: string): ActorSigner {
  const body = JSON.parse(readFileSync(path, 'utf8')) as {
    actor_id?: unknown;
    private_key_pkcs8?: unknown;
    private_key_pem?: unknown;
  };
  if (typeof body.actor_id !== 'string') throw new TypeError(`${path}: no actor_id`);
  let key: KeyObject;
  if (typeof body.private_key_pkcs8 === 'string')
    key = createPrivateKey({ key: Buffer.from(body.private_key_pkcs8, 'base64'), format: 'der', type: 'pkcs8' });
  else if (typeof body.private_key_pem === 'string') key = createPrivateKey(body.private_key_pem);
  else throw new TypeError(`${path}: no private_key_pkcs8 or private_key_pem`);
  return signerFromKeyObject(body.actor_id, key);
}
