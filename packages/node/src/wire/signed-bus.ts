/**
 * Node-to-node authentication on the bus, the same way actors authenticate to the API: every
 * request (and every published message) a node sends is sealed with the sending node's Ed25519 key,
 * the key the log registered for it (`genesis` for masters, `node_registered` for enterprise nodes),
 * with a creation time and a nonce. The serving node opens the seal before its handler runs and
 * refuses, with a typed error code that crosses the bus, a message that is unsigned, badly signed,
 * outside the time window, replayed, addressed to another subject, or from a node the log does not
 * know (or whose role may not call it).
 *
 * The signed digest is `domainHash('scp/v1/node-rpc', {from, subject, created_ms, nonce, body_sha256})`;
 * the body travels as the JSON text that was hashed, so the receiver checks exactly the bytes signed.
 */
import { createHash, randomBytes } from 'node:crypto';
import { digestBytes, domainHash, verifyEd25519 } from '@symphony/protocol';
import { NonceCache } from '../application/nonce-cache.ts';
import type { Bus, BusHandler, BusResponder, RequestOptions, SubscribeOptions, Subscription } from '../ports/bus.ts';
import { PortError } from '../ports/errors.ts';
import type { Keyring } from '../ports/keyring.ts';

/** Why a node refused a bus message. */
export const nodeAuthErrorCodes = [
  'node_unsigned',
  'node_bad_signature',
  'node_signature_expired',
  'node_replayed',
  'node_unknown',
  'node_role_refused',
] as const;
export type NodeAuthErrorCode = (typeof nodeAuthErrorCodes)[number];

/** Roles a registered node has. */
export type NodeRole = 'master' | 'enterprise';

/** A message sealed by its sending node. */
export type SealedMessage = {
  scp_node_rpc: 1;
  from: string;
  subject: string;
  created_ms: number;
  nonce: string;
  /** The payload's JSON text, whose SHA-256 is signed. */
  body: string;
  signature: string;
};

export type SignedBusOptions = {
  /** This node's id (as registered in the log). */
  nodeId: string;
  keyring: Keyring;
  /** The keyring name of this node's registered key. */
  keyName: string;
  /** The registered key and role of a node, from this node's own fold of the log. */
  lookup: (nodeId: string) => { public_key: string; role: NodeRole } | undefined;
  /** Folds the log up to its head; called once before refusing an unknown sender (it may be newer than our fold). */
  refresh?: () => Promise<void>;
  /** Roles whose messages this node accepts (default: every registered node). */
  accept?: readonly NodeRole[];
  /** Accepted distance between a message's creation time and now (default 300 s, as for actor requests). */
  windowMs?: number;
  now?: () => number;
};

const TAG = 'scp/v1/node-rpc';

/** The digest a node signs for one message. */
export function nodeRpcDigest(m: Omit<SealedMessage, 'scp_node_rpc' | 'signature' | 'body'> & { body_sha256: string }) {
  return domainHash(TAG, {
    from: m.from,
    subject: m.subject,
    created_ms: m.created_ms,
    nonce: m.nonce,
    body_sha256: m.body_sha256,
  });
}

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

const refuse = (code: NodeAuthErrorCode, message: string) => new PortError<NodeAuthErrorCode>(code, message);

/** A `Bus` whose outgoing messages are sealed by this node and whose incoming ones must be. */
export class SignedBus implements Bus {
  readonly #inner: Bus;
  readonly #o: SignedBusOptions;
  readonly #window: number;
  readonly #now: () => number;
  readonly #nonces: NonceCache;

  constructor(inner: Bus, opts: SignedBusOptions) {
    this.#inner = inner;
    this.#o = opts;
    this.#window = opts.windowMs ?? 300_000;
    this.#now = opts.now ?? Date.now;
    this.#nonces = new NonceCache(this.#window, this.#now());
  }

  /** Seals `payload` for `subject` with this node's key. */
  async seal(subject: string, payload: unknown): Promise<SealedMessage> {
    const body = JSON.stringify(payload) ?? 'null';
    const head = {
      from: this.#o.nodeId,
      subject,
      created_ms: this.#now(),
      nonce: randomBytes(16).toString('hex'),
    };
    const signature = await this.#o.keyring.sign(
      this.#o.keyName,
      digestBytes(nodeRpcDigest({ ...head, body_sha256: sha256(body) })),
    );
    return { scp_node_rpc: 1, ...head, body, signature };
  }

  /** Checks a sealed message received on `subject` and returns its payload; throws a typed refusal. */
  async open(message: unknown, subject: string): Promise<unknown> {
    const m = message as Partial<SealedMessage> | null;
    if (
      !m ||
      typeof m !== 'object' ||
      m.scp_node_rpc !== 1 ||
      typeof m.from !== 'string' ||
      typeof m.subject !== 'string' ||
      !Number.isSafeInteger(m.created_ms) ||
      typeof m.nonce !== 'string' ||
      !/^[0-9a-f]{32}$/.test(m.nonce) ||
      typeof m.body !== 'string' ||
      typeof m.signature !== 'string'
    )
      throw refuse('node_unsigned', `a message on ${subject} carries no node signature`);
    let sender = this.#o.lookup(m.from);
    if (!sender && this.#o.refresh) {
      await this.#o.refresh();
      sender = this.#o.lookup(m.from);
    }
    if (!sender) throw refuse('node_unknown', `node ${m.from} is not registered in the log`);
    const digest = nodeRpcDigest({
      from: m.from,
      subject: m.subject,
      created_ms: m.created_ms as number,
      nonce: m.nonce,
      body_sha256: sha256(m.body),
    });
    if (!verifyEd25519(sender.public_key, digestBytes(digest), m.signature))
      throw refuse('node_bad_signature', `the signature of ${m.from} on ${subject} does not verify`);
    if (m.subject !== subject)
      throw refuse('node_bad_signature', `the message of ${m.from} was signed for ${m.subject}, not ${subject}`);
    if (!(this.#o.accept ?? ['master', 'enterprise']).includes(sender.role))
      throw refuse('node_role_refused', `a ${sender.role} node may not call ${subject}`);
    const now = this.#now();
    if (Math.abs(now - (m.created_ms as number)) > this.#window)
      throw refuse(
        'node_signature_expired',
        `the message of ${m.from} was created outside the ${this.#window} ms window`,
      );
    if (!this.#nonces.remembers(m.created_ms as number))
      throw refuse('node_replayed', `the message of ${m.from} predates this node's start; its nonce cannot be checked`);
    if (!this.#nonces.claim(m.from, m.nonce, now))
      throw refuse('node_replayed', `nonce ${m.nonce} of ${m.from} was already used`);
    return JSON.parse(m.body);
  }

  async publish(subject: string, payload: unknown): Promise<void> {
    await this.#inner.publish(subject, await this.seal(subject, payload));
  }

  subscribe(subject: string, handler: BusHandler, opts?: SubscribeOptions): Promise<Subscription> {
    // A refused message throws here, so the bus drops it (and reports it to its error hook).
    return this.#inner.subscribe(
      subject,
      async (msg) => handler({ subject: msg.subject, payload: await this.open(msg.payload, msg.subject) }),
      opts,
    );
  }

  async request(subject: string, payload: unknown, opts: RequestOptions): Promise<unknown> {
    return this.#inner.request(subject, await this.seal(subject, payload), opts);
  }

  serve(subject: string, responder: BusResponder, opts?: SubscribeOptions): Promise<Subscription> {
    return this.#inner.serve(
      subject,
      async (payload, msg) => responder(await this.open(payload, msg.subject), msg),
      opts,
    );
  }

  /** Closes the underlying bus. */
  close(): Promise<void> {
    return this.#inner.close();
  }
}

/** The registered key and role of `nodeId` in a folded state. */
export function registeredNode(
  state: {
    masters: Record<string, { public_key: string }>;
    enterprise_nodes: Record<string, { public_key: string }>;
  },
  nodeId: string,
): { public_key: string; role: NodeRole } | undefined {
  const master = state.masters[nodeId];
  if (master) return { public_key: master.public_key, role: 'master' };
  const node = state.enterprise_nodes[nodeId];
  return node ? { public_key: node.public_key, role: 'enterprise' } : undefined;
}
