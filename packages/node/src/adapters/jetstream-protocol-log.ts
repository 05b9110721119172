/**
 * The protocol log as one NATS JetStream stream (`<prefix>_log`, subject `<prefix>.log`, file
 * storage, no limits, message deletion and purge denied). Entry `seq` n is stream sequence n + 1.
 * An append publishes with "expected last sequence" = `entry.seq`, so the server refuses it unless
 * the entry it links to is still the last one: exactly one of concurrent writers wins. The message
 * id is the entry hash, so a retried publish is deduplicated. `follow` uses an ordered consumer.
 */
import {
  type ConsumerMessages,
  DeliverPolicy,
  DiscardPolicy,
  JetStreamApiCodes,
  JetStreamApiError,
  type JetStreamClient,
  type JetStreamManager,
  jetstream,
  jetstreamManager,
  RetentionPolicy,
  StorageType,
} from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { PortError } from '../ports/errors.ts';
import {
  type AppendOutcome,
  type BatchAppendOutcome,
  type FollowOptions,
  GENESIS_PREV_HASH,
  type LogEntry,
  type LogFollower,
  type LogHead,
  type ProtocolLog,
  type ProtocolLogErrorCode,
} from '../ports/protocol-log.ts';
import {
  appendOneByOne,
  checkRead,
  closedLog,
  DEFAULT_READ_LIMIT,
  decodeEntry,
  encodeEntry,
  refusal,
} from './log-entries.ts';
import { FollowerSet } from './log-follower.ts';

/** Options of `JetStreamProtocolLog.open`. */
export type JetStreamProtocolLogOptions = {
  /** The NATS connection; the log never closes it. */
  readonly connection: NatsConnection;
  /** Names the log: stream `<prefix>_log`, subject `<prefix>.log`. Letters, digits, `_`, `-`. */
  readonly prefix: string;
  /** Stream replicas (default 1; 3 on a three-server cluster). */
  readonly replicas?: number;
};

const PREFIX = /^[A-Za-z0-9_-]{1,200}$/;
/** Messages fetched concurrently by `read`. */
const READ_WINDOW = 64;

/** `ProtocolLog` over a JetStream stream. Use `JetStreamProtocolLog.open`. */
export class JetStreamProtocolLog implements ProtocolLog {
  /** The stream's name. */
  readonly stream: string;
  /** The stream's only subject. */
  readonly subject: string;
  readonly #js: JetStreamClient;
  readonly #jsm: JetStreamManager;
  readonly #followers = new FollowerSet();
  /** The last (seq, hash) this instance saw stored: entries never change, so it never goes stale. */
  #known: LogHead | null = null;
  #closed = false;

  private constructor(js: JetStreamClient, jsm: JetStreamManager, prefix: string) {
    this.#js = js;
    this.#jsm = jsm;
    this.stream = `${prefix}_log`;
    this.subject = `${prefix}.log`;
  }

  /** Creates the stream when missing (or checks that the existing one can never lose an entry). */
  static async open(opts: JetStreamProtocolLogOptions): Promise<JetStreamProtocolLog> {
    if (!PREFIX.test(opts.prefix)) throw new RangeError(`invalid log prefix ${JSON.stringify(opts.prefix)}`);
    const jsm = await jetstreamManager(opts.connection);
    const log = new JetStreamProtocolLog(jetstream(opts.connection), jsm, opts.prefix);
    await log.#ensureStream(opts.replicas ?? 1);
    return log;
  }

  async append(entry: LogEntry): Promise<AppendOutcome> {
    this.#checkOpen();
    const json = encodeEntry(entry);
    const prev = entry.seq === 0 ? GENESIS_PREV_HASH : await this.#hashAt(entry.seq - 1);
    if (prev !== entry.prev_hash) return this.#refuse(entry);
    let ack: { seq: number };
    try {
      ack = await this.#js.publish(this.subject, json, { expect: { lastSequence: entry.seq }, msgID: entry.hash });
    } catch (error) {
      if (error instanceof JetStreamApiError && error.code === JetStreamApiCodes.StreamWrongLastSequence) {
        return this.#refuse(entry);
      }
      throw error;
    }
    // A deduplicated publish acknowledges the earlier message with that id: fine only at this seq.
    if (ack.seq !== entry.seq + 1) return this.#refuse(entry);
    this.#known = { seq: entry.seq, hash: entry.hash };
    return { ok: true, seq: entry.seq };
  }

  /** Entry by entry (a publish per entry, each with its expected last sequence), stopping at the first refusal. */
  appendBatch(entries: readonly LogEntry[]): Promise<BatchAppendOutcome> {
    this.#checkOpen();
    return appendOneByOne(entries, (entry) => this.append(entry));
  }

  async read(fromSeq: number, limit = DEFAULT_READ_LIMIT): Promise<LogEntry[]> {
    this.#checkOpen();
    checkRead(fromSeq, limit);
    const info = await this.#jsm.streams.info(this.stream);
    const count = Math.max(0, Math.min(limit, info.state.last_seq - fromSeq));
    const entries: LogEntry[] = [];
    for (let start = 0; start < count; start += READ_WINDOW) {
      const seqs = Array.from({ length: Math.min(READ_WINDOW, count - start) }, (_, i) => fromSeq + start + i);
      const window = await Promise.all(seqs.map((seq) => this.#entryAt(seq)));
      for (const entry of window) {
        if (!entry) return entries;
        entries.push(entry);
      }
    }
    return entries;
  }

  async head(): Promise<LogHead | null> {
    this.#checkOpen();
    const msg = await this.#jsm.streams.getMessage(this.stream, { last_by_subj: this.subject });
    if (!msg) return null;
    const entry = decodeEntry(new TextDecoder().decode(msg.data), msg.seq - 1);
    return { seq: entry.seq, hash: entry.hash };
  }

  follow(fromSeq: number, onEntry: (entry: LogEntry) => Promise<void> | void, _opts?: FollowOptions): LogFollower {
    this.#checkOpen();
    checkRead(fromSeq, 1);
    let stopped = false;
    let messages: ConsumerMessages | undefined;
    const run = async () => {
      const consumer = await this.#js.consumers.get(this.stream, {
        deliver_policy: DeliverPolicy.StartSequence,
        opt_start_seq: fromSeq + 1,
      });
      if (stopped) return;
      // Pull requests expire after 5 s (heartbeats every 2.5 s): after a NATS server restart the
      // follower notices the lost pull within seconds instead of the 30 s default.
      messages = await consumer.consume({ max_messages: 256, expires: 5_000 });
      try {
        let next = fromSeq;
        for await (const msg of messages) {
          if (stopped) break;
          // The server clamps a start past the end of the stream to its first message: skip to `fromSeq`.
          if (msg.seq - 1 < next) continue;
          const entry = decodeEntry(msg.string(), msg.seq - 1);
          if (entry.seq !== next) {
            throw new PortError<ProtocolLogErrorCode>('corrupt_log', `follower expected seq ${next}, got ${entry.seq}`);
          }
          await onEntry(entry);
          next += 1;
        }
      } finally {
        await messages.close().catch(() => {});
      }
    };
    const done = run();
    done.catch(() => {});
    const follower: LogFollower = {
      done,
      stop: async () => {
        stopped = true;
        messages?.stop();
        await done.catch(() => {});
      },
    };
    return this.#followers.add(follower);
  }

  async close(): Promise<void> {
    this.#closed = true;
    await this.#followers.stopAll();
  }

  async #refuse(entry: LogEntry): Promise<AppendOutcome> {
    const [head, hashAtSeq] = await Promise.all([this.head(), this.#hashAt(entry.seq)]);
    return refusal(entry, head, hashAtSeq);
  }

  async #hashAt(seq: number): Promise<string | undefined> {
    if (this.#known?.seq === seq) return this.#known.hash;
    return (await this.#entryAt(seq))?.hash;
  }

  async #entryAt(seq: number): Promise<LogEntry | undefined> {
    const msg = await this.#jsm.streams.getMessage(this.stream, { seq: seq + 1 });
    return msg ? decodeEntry(new TextDecoder().decode(msg.data), seq) : undefined;
  }

  async #ensureStream(replicas: number): Promise<void> {
    try {
      const { config } = await this.#jsm.streams.info(this.stream);
      const lossless =
        config.retention === RetentionPolicy.Limits &&
        config.max_msgs === -1 &&
        config.max_bytes === -1 &&
        config.max_age === 0 &&
        config.max_msgs_per_subject === -1 &&
        config.subjects?.length === 1 &&
        config.subjects[0] === this.subject;
      if (!lossless)
        throw new Error(`stream ${this.stream} exists with limits or subjects that could lose log entries`);
      return;
    } catch (error) {
      if (!(error instanceof JetStreamApiError && error.code === JetStreamApiCodes.StreamNotFound)) throw error;
    }
    await this.#jsm.streams.add({
      name: this.stream,
      subjects: [this.subject],
      storage: StorageType.File,
      retention: RetentionPolicy.Limits,
      discard: DiscardPolicy.Old,
      max_msgs: -1,
      max_bytes: -1,
      max_age: 0,
      max_msgs_per_subject: -1,
      num_replicas: replicas,
      deny_delete: true,
      deny_purge: true,
      allow_rollup_hdrs: false,
    });
  }

  #checkOpen(): void {
    if (this.#closed) throw closedLog();
  }
}
