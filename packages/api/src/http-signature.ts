/**
 * HTTP Message Signatures (RFC 9421) as SCS uses them: every request of an actor carries
 * `Signature-Input` and `Signature` (label `scs`), Ed25519 (`alg="ed25519"`), covering `@method`,
 * `@path`, `@query`, and `content-digest` (RFC 9530, `sha-256`) when there is a body, with the
 * parameters `created` (Unix seconds), `nonce` (single use) and `keyid` (the actor id).
 * This module builds and parses; the keys sign and verify elsewhere.
 */
import { createHash } from 'node:crypto';

/** The signature label in `Signature-Input` / `Signature`. */
export const SIGNATURE_LABEL = 'scs';
/** Seconds a signature's `created` may lie in the past or future. */
export const SIGNATURE_WINDOW_SECONDS = 300;
const NONCE_PATTERN = /^[A-Za-z0-9_-]{16,128}$/;
const KEYID_PATTERN = /^act_[0-9a-z][0-9a-z_-]{0,62}$/;

/** The signed parameters of one request. */
export type SignatureParams = { created: number; nonce: string; keyid: string };

/** What the signature covers of a request. */
export type SignedComponents = { method: string; path: string; query: string; contentDigest?: string };

/** `Content-Digest` of a body: `sha-256=:<base64>:`. */
export function contentDigest(body: Uint8Array | string): string {
  return `sha-256=:${createHash('sha256').update(body).digest('base64')}:`;
}

/** Splits a request target (`/v1/tasks?x=1`) into `@path` and `@query` (`?x=1`, or `?` when empty). */
export function targetComponents(target: string): { path: string; query: string } {
  const i = target.indexOf('?');
  return i < 0 ? { path: target, query: '?' } : { path: target.slice(0, i), query: target.slice(i) };
}

function componentList(c: SignedComponents): string {
  return `("@method" "@path" "@query"${c.contentDigest !== undefined ? ' "content-digest"' : ''})`;
}

/** The `Signature-Input` member value (without the label). */
export function signatureParamsValue(c: SignedComponents, p: SignatureParams): string {
  return `${componentList(c)};created=${p.created};nonce="${p.nonce}";keyid="${p.keyid}";alg="ed25519"`;
}

/** The RFC 9421 signature base: the exact bytes (UTF-8) an actor signs. */
export function signatureBase(c: SignedComponents, p: SignatureParams): string {
  const lines = [`"@method": ${c.method.toUpperCase()}`, `"@path": ${c.path}`, `"@query": ${c.query}`];
  if (c.contentDigest !== undefined) lines.push(`"content-digest": ${c.contentDigest}`);
  lines.push(`"@signature-params": ${signatureParamsValue(c, p)}`);
  return lines.join('\n');
}

/** The headers to send: `signature-input`, `signature`, and `content-digest` when there is a body. */
export function signatureHeaders(
  c: SignedComponents,
  p: SignatureParams,
  signatureBytes: Uint8Array,
): Record<string, string> {
  return {
    'signature-input': `${SIGNATURE_LABEL}=${signatureParamsValue(c, p)}`,
    signature: `${SIGNATURE_LABEL}=:${Buffer.from(signatureBytes).toString('base64')}:`,
    ...(c.contentDigest !== undefined ? { 'content-digest': c.contentDigest } : {}),
  };
}

/** A parsed signature, or the reason it cannot be used. */
export type ParsedSignature =
  | { ok: true; params: SignatureParams; covers: string[]; signature: Uint8Array }
  | { ok: false; reason: string };

/** Parses the `scs` member of `Signature-Input` and `Signature`. Strict: anything unexpected fails. */
export function parseSignature(input: string | undefined, signature: string | undefined): ParsedSignature {
  if (input === undefined || signature === undefined) return { ok: false, reason: 'missing_signature' };
  const m = /^scs=\(((?:"[@a-z-]+" ?)+)\);created=(\d{1,12});nonce="([^"]*)";keyid="([^"]*)";alg="ed25519"$/.exec(
    input,
  );
  if (!m) return { ok: false, reason: 'malformed_signature_input' };
  const covers = m[1]!
    .trim()
    .split(' ')
    .map((s) => s.slice(1, -1));
  const nonce = m[3]!;
  const keyid = m[4]!;
  if (!NONCE_PATTERN.test(nonce)) return { ok: false, reason: 'malformed_nonce' };
  if (!KEYID_PATTERN.test(keyid)) return { ok: false, reason: 'malformed_keyid' };
  const s = /^scs=:([A-Za-z0-9+/]{86}==):$/.exec(signature);
  if (!s) return { ok: false, reason: 'malformed_signature' };
  return { ok: true, params: { created: Number(m[2]), nonce, keyid }, covers, signature: Buffer.from(s[1]!, 'base64') };
}

/** An actor's signing key as request signing needs it. */
export type RequestSigner = { keyid: string; sign(bytes: Uint8Array): Uint8Array };

/**
 * The signature headers of one request: `target` is path plus query, `body` the exact bytes sent
 * (omit it for a request without a body), `created` Unix seconds, `nonce` fresh for every request.
 */
export function signRequest(
  signer: RequestSigner,
  /** `contentDigest` stands for a body streamed later (its digest computed beforehand). */
  request: { method: string; target: string; body?: string | Uint8Array; contentDigest?: string },
  created: number,
  nonce: string,
): Record<string, string> {
  const digest = request.contentDigest ?? (request.body !== undefined ? contentDigest(request.body) : undefined);
  const components: SignedComponents = {
    method: request.method.toUpperCase(),
    ...targetComponents(request.target),
    ...(digest !== undefined ? { contentDigest: digest } : {}),
  };
  const params = { created, nonce, keyid: signer.keyid };
  const base = new TextEncoder().encode(signatureBase(components, params));
  return signatureHeaders(components, params, signer.sign(base));
}
