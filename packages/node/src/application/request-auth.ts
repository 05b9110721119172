/**
 * Request authentication and route authorization at the HTTP edge. Every `/v1` request must carry
 * an RFC 9421 signature (see `@symphony/api` http-signature) by a registered actor's key: the
 * `created` time inside the window, a nonce not seen before, the body matching `Content-Digest`.
 * Then the actor's token bucket is charged and the route's roles are checked. Public routes
 * (`/healthz`, `/metrics`, `/openapi.json`, `/docs`) need no signature.
 */
import { createHash } from 'node:crypto';
import { Transform } from 'node:stream';
import {
  type ApiErrorCode,
  parseSignature,
  SIGNATURE_WINDOW_SECONDS,
  type SignedComponents,
  signatureBase,
  targetComponents,
} from '@symphony/api';
import { verifyEd25519 } from '@symphony/protocol';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ActorDirectory, Caller } from './caller.ts';
import { ApiFailure } from './master-api.ts';
import { NonceCache } from './nonce-cache.ts';
import { DEFAULT_RATE_LIMIT, type RateLimit, TokenBuckets } from './token-bucket.ts';

export type { ActorDirectory, ActorEntry, Caller } from './caller.ts';

/** Options of the authentication layer. */
export type RequestAuthOptions = {
  directory: ActorDirectory;
  windowSeconds?: number;
  rateLimit?: RateLimit;
  now?: () => number;
};

/** Roles that may call a route (`METHOD url-template`); unlisted `/v1` routes need any registered actor. */
export const ROUTE_ROLES: Readonly<Record<string, readonly string[]>> = {
  'POST /v1/tasks': ['task_submitter'],
  'POST /v1/vaults/:vaultId/records': ['data_producer', 'vault_operator'],
  'POST /v1/epochs/current/close': ['governance'],
  'POST /v1/challenges/:challengeId/approve': ['governance'],
  'POST /v1/epochs/:epochId/settlement/retry': ['governance'],
  'POST /v1/payouts/batches/:batchId/executed': ['treasury'],
  'POST /v1/vaults/:vaultId/grants': ['vault_operator'],
  'DELETE /v1/vaults/:vaultId/grants/:grantId': ['vault_operator'],
  'POST /v1/vaults/:vaultId/programs': ['vault_operator'],
  // Vault internals and consents (which name data subjects) are for the data side and governance.
  'GET /v1/vaults': ['data_producer', 'vault_operator', 'governance'],
  'GET /v1/vaults/:vaultId': ['data_producer', 'vault_operator', 'governance'],
  'GET /v1/vaults/:vaultId/commitments': ['data_producer', 'vault_operator', 'governance'],
  'GET /v1/consents': ['data_producer', 'vault_operator', 'governance'],
};

/**
 * The key a request may be signed with when its `keyid` is not registered: only a self-registration
 * (`POST /v1/actors` whose body registers that very id), verified with the key the body carries.
 */
function selfRegistrationKey(request: FastifyRequest, keyid: string): string | undefined {
  if (request.method !== 'POST' || request.routeOptions.url !== '/v1/actors') return undefined;
  const body = request.body as { actor_id?: unknown; public_key?: unknown } | undefined;
  if (body?.actor_id !== keyid || typeof body.public_key !== 'string') return undefined;
  return /^[0-9a-f]{64}$/.test(body.public_key) ? body.public_key : undefined;
}

const callers = new WeakMap<FastifyRequest, Caller>();

/** The authenticated caller of a request (undefined when authentication is off). */
export const callerOf = (request: FastifyRequest): Caller | undefined => callers.get(request);

/** The signed `Content-Digest` of a body that is streamed after authentication (uploads). */
const streamedDigests = new WeakMap<FastifyRequest, string>();

/**
 * A streamed body as the route reads it: the chunks as they arrive, then, before the consumer can
 * commit anything, a check that they hash to the `Content-Digest` the caller signed.
 */
export async function* verifiedStream(request: FastifyRequest): AsyncIterable<Buffer> {
  yield* request.body as AsyncIterable<Buffer>;
  const expected = streamedDigests.get(request);
  if (expected !== undefined && digests.get(request) !== expected)
    throw fail('unauthenticated', 'digest_mismatch', 'The uploaded body does not match the signed Content-Digest.');
}

const digests = new WeakMap<FastifyRequest, string>();

const fail = (code: ApiErrorCode, reason: string, message: string, details: Record<string, unknown> = {}) =>
  new ApiFailure(code, message, { reason, ...details });

/** Adds the hooks to `app`: body digesting while parsing, then verification before validation. */
export function registerRequestAuthentication(app: FastifyInstance, options: RequestAuthOptions): void {
  const windowSeconds = options.windowSeconds ?? SIGNATURE_WINDOW_SECONDS;
  const now = options.now ?? Date.now;
  const nonces = new NonceCache(windowSeconds * 1000, Math.floor(now() / 1000) * 1000);
  const buckets = new TokenBuckets(options.rateLimit ?? DEFAULT_RATE_LIMIT);

  app.addHook('preParsing', async (request, _reply, payload) => {
    if (!request.url.startsWith('/v1/')) return payload;
    const hash = createHash('sha256');
    let received = 0;
    const digesting = new Transform({
      transform(chunk: Buffer, _enc, done) {
        hash.update(chunk);
        received += chunk.length;
        (digesting as unknown as { receivedEncodedLength: number }).receivedEncodedLength = received;
        done(null, chunk);
      },
      flush(done) {
        digests.set(request, `sha-256=:${hash.digest('base64')}:`);
        done();
      },
    });
    (digesting as unknown as { receivedEncodedLength: number }).receivedEncodedLength = 0;
    payload.on('error', (e) => digesting.destroy(e));
    return payload.pipe(digesting);
  });

  app.addHook('preValidation', async (request) => {
    if (!request.url.startsWith('/v1/')) return;
    const caller = authenticate(request);
    const bucket = buckets.take(caller.actor_id, now());
    if (!bucket.ok)
      throw new ApiFailure('rate_limited', `${caller.actor_id} sends requests faster than its rate limit`, {
        retry_after_seconds: bucket.retryAfterSeconds,
      });
    authorize(request, caller, options.directory);
    callers.set(request, caller);
  });

  function authenticate(request: FastifyRequest): Caller {
    const header = (name: string) => {
      const v = request.headers[name];
      return typeof v === 'string' ? v : undefined;
    };
    const parsed = parseSignature(header('signature-input'), header('signature'));
    if (!parsed.ok) throw fail('unauthenticated', parsed.reason, 'Sign the request (RFC 9421, label scs, Ed25519).');
    const { params } = parsed;
    // A streamed upload is authenticated before its body is read: its signature covers the
    // Content-Digest header, which `verifiedStream` checks against the bytes before they commit.
    const streamed =
      !digests.has(request) && (header('transfer-encoding') !== undefined || Number(header('content-length') ?? 0) > 0);
    const hasBody = digests.has(request) || streamed;
    const required = ['@method', '@path', '@query', ...(hasBody ? ['content-digest'] : [])];
    if (parsed.covers.join(' ') !== required.join(' '))
      throw fail('unauthenticated', 'wrong_components', `The signature must cover ${required.join(' ')}.`);
    const nowSeconds = Math.floor(now() / 1000);
    if (Math.abs(nowSeconds - params.created) > windowSeconds)
      throw fail(
        'unauthenticated',
        'signature_expired',
        `The signature was created outside the ${windowSeconds} s window.`,
      );
    let contentDigest: string | undefined;
    if (streamed) {
      contentDigest = header('content-digest');
      if (contentDigest === undefined)
        throw fail('unauthenticated', 'wrong_components', 'A streamed body must carry a signed Content-Digest.');
      streamedDigests.set(request, contentDigest);
    } else if (hasBody) {
      contentDigest = digests.get(request)!;
      if (header('content-digest') !== contentDigest)
        throw fail('unauthenticated', 'digest_mismatch', 'Content-Digest does not match the body.');
    }
    const registered = options.directory.actor(params.keyid);
    const selfKey = registered ? undefined : selfRegistrationKey(request, params.keyid);
    const actor = registered ?? (selfKey ? { roles: [] as string[], public_key: selfKey } : undefined);
    if (!actor) throw fail('unauthenticated', 'unknown_key', `No registered actor ${params.keyid}.`);
    const components: SignedComponents = {
      method: request.method,
      ...targetComponents(request.url),
      ...(contentDigest !== undefined ? { contentDigest } : {}),
    };
    const base = new TextEncoder().encode(signatureBase(components, params));
    if (!verifyEd25519(actor.public_key, base, Buffer.from(parsed.signature).toString('hex')))
      throw fail('unauthenticated', 'bad_signature', `The signature does not verify with ${params.keyid}'s key.`);
    if (!nonces.remembers(params.created * 1000))
      throw fail(
        'unauthenticated',
        'replayed_nonce',
        'This signature predates the server start, so its nonce cannot be checked; sign the request afresh.',
      );
    if (!nonces.claim(params.keyid, params.nonce, now()))
      throw fail('unauthenticated', 'replayed_nonce', 'This nonce was already used; sign each request afresh.');
    return { actor_id: params.keyid, roles: actor.roles };
  }
}

function authorize(request: FastifyRequest, caller: Caller, directory: ActorDirectory): void {
  const route = `${request.method} ${request.routeOptions.url ?? ''}`;
  const allowed = ROUTE_ROLES[route];
  if (!allowed) return;
  if (route === 'POST /v1/vaults/:vaultId/records') {
    const vaultId = (request.params as { vaultId?: string }).vaultId ?? '';
    if (caller.roles.includes('data_producer') || directory.vaultOperator(vaultId) === caller.actor_id) return;
    throw fail('forbidden', 'wrong_role', `${caller.actor_id} may not ingest into ${vaultId}.`, {
      required_roles: allowed,
    });
  }
  if (!allowed.some((r) => caller.roles.includes(r)))
    throw fail('forbidden', 'wrong_role', `${caller.actor_id} lacks the role for ${route}.`, {
      required_roles: allowed,
    });
}
