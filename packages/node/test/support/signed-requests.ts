/**
 * Signing for tests that call the HTTP API: deterministic actor keys and `signedInject`, which
 * signs a Fastify inject request (RFC 9421) the way the CLI does.
 */
import { createHash, createPrivateKey, createPublicKey, randomBytes, sign } from 'node:crypto';
import { type RequestSigner, signRequest } from '@symphony/api';
import type { ActorRole } from '@symphony/protocol';
import type { FastifyInstance, InjectOptions } from 'fastify';
import type { TopologyActor } from '../../src/roles/network-topology.ts';

const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

/** An actor key derived from its id: the same id gives the same key. */
export type ActorKey = RequestSigner & { publicKeyHex: string };

export function actorKey(actorId: string): ActorKey {
  const seed = createHash('sha256').update(`scs-test-actor/${actorId}`).digest();
  const privateKey = createPrivateKey({
    key: Buffer.concat([PKCS8_ED25519_PREFIX, seed]),
    format: 'der',
    type: 'pkcs8',
  });
  const spki = createPublicKey(privateKey).export({ format: 'der', type: 'spki' });
  return {
    keyid: actorId,
    publicKeyHex: Buffer.from(spki.subarray(spki.length - 32)).toString('hex'),
    sign: (bytes) => sign(null, bytes, privateKey),
  };
}

/** Headers that sign a request now with a fresh nonce. */
export function signedHeaders(
  key: RequestSigner,
  method: string,
  url: string,
  body?: string,
  createdSeconds = Math.floor(Date.now() / 1000),
): Record<string, string> {
  return signRequest(
    key,
    { method, target: url, ...(body !== undefined ? { body } : {}) },
    createdSeconds,
    randomBytes(16).toString('hex'),
  );
}

/** `app.inject` with the request signed by `key` (a JSON body is serialized first and its digest signed). */
export function signedInject(
  app: FastifyInstance,
  key: RequestSigner,
  options: { method?: string; url: string; payload?: unknown; headers?: Record<string, string> },
) {
  const method = options.method ?? 'GET';
  const body =
    options.payload === undefined
      ? undefined
      : typeof options.payload === 'string'
        ? options.payload
        : JSON.stringify(options.payload);
  const headers: Record<string, string> = {
    ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
    ...options.headers,
    ...signedHeaders(key, method, options.url, body),
  };
  const inject: InjectOptions = { method: method as NonNullable<InjectOptions['method']>, url: options.url, headers };
  if (body !== undefined) inject.payload = body;
  return app.inject(inject);
}

/** A topology actor with this test key: its roles, an optional balance, and grants on every Vault when `all`. */
export function topologyActor(
  key: ActorKey,
  roles: ActorRole[],
  opts: { balance?: string; allGrants?: boolean } = {},
): TopologyActor {
  return {
    actor_id: key.keyid,
    roles,
    public_key: key.publicKeyHex,
    ...(opts.balance ? { balance: opts.balance } : {}),
    ...(opts.allGrants ? { grants: 'all' as const } : {}),
  };
}
