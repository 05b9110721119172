/**
 * The master's side of Vault uploads and Vault operations: it parses an upload body as it streams
 * in, forwards batches over the bus to the enterprise node hosting the Vault, and commits the
 * upload there at the end (all records visible, or none). It never stores or logs record contents;
 * a refusal names the line, the field and the reason, and aborts the upload.
 */
import { randomUUID } from 'node:crypto';
import type { UploadResponse, VaultCommitmentsView, VaultSnapshotView, VaultView } from '@symphony/api';
import type { LogWriter } from '../coordination/log-writer.ts';
import type { StateFollower } from '../coordination/state-follower.ts';
import type { Bus } from '../ports/bus.ts';
import { hasErrorCode } from '../ports/errors.ts';
import {
  enterpriseSubjects,
  type ProgramDecisionReply,
  type UploadProblem,
  type UploadReply,
  type UploadRequest,
  type VaultCommitments,
  type VaultFigures,
  type VaultRequest,
  type VaultSnapshot,
} from '../wire/enterprise-rpc.ts';
import { ApiFailure } from './master-api.ts';
import { csvBatches, ndjsonBatches, UploadSyntaxError, UploadTooLarge } from './upload-parsers.ts';

/** Largest record upload (CSV or NDJSON) in bytes. */
export const MAX_UPLOAD_BYTES = 2 * 1024 * 1024 * 1024;
/** Largest binary document in bytes (the enterprise node enforces the same limit). */
export const MAX_DOCUMENT_BYTES = 25 * 1024 * 1024;
/** Records per bus message. */
const BATCH = 1000;
/** Document bytes per bus message. */
const CHUNK_BYTES = 256 * 1024;

export type VaultEdgeOptions = {
  follower: StateFollower;
  writer: LogWriter;
  bus: Bus;
  requestTimeoutMs?: number;
};

function problemFailure(p: UploadProblem): ApiFailure {
  const details = {
    ...(p.line !== undefined ? { line: p.line } : {}),
    ...(p.field ? { field: p.field } : {}),
    reason: p.reason,
  };
  const where = `${p.line !== undefined ? `line ${p.line}: ` : ''}${p.field ? `field ${p.field}: ` : ''}`;
  switch (p.code) {
    case 'quota_exceeded':
      return new ApiFailure('quota_exceeded', `${where}${p.reason}`, details);
    case 'record_too_large':
    case 'body_too_large':
      return new ApiFailure('body_too_large', `${where}${p.reason}`, details);
    case 'unsupported_media_type':
      return new ApiFailure('unsupported_media_type', p.reason, details);
    default:
      return new ApiFailure('invalid_records', `${where}${p.reason}`, details);
  }
}

export class VaultEdge {
  readonly #o: VaultEdgeOptions;
  /** The last figures each Vault's node reported (refreshed by show/list and by every committed upload), for metrics. */
  readonly figures = new Map<string, { record_count: number; size_bytes?: number }>();

  constructor(opts: VaultEdgeOptions) {
    this.#o = opts;
  }

  #nodeOf(vaultId: string): string {
    const vault = this.#o.follower.state.vaults[vaultId];
    if (!vault)
      throw new ApiFailure('unknown_vault', `vault ${vaultId} is not registered on this network`, {
        vault_id: vaultId,
      });
    return vault.node_id;
  }

  async #call<T>(subject: string, payload: unknown, nodeId: string): Promise<T> {
    try {
      return (await this.#o.bus.request(subject, payload, { timeoutMs: this.#o.requestTimeoutMs ?? 60_000 })) as T;
    } catch (error) {
      if (hasErrorCode(error) && error.code === 'unknown_vault') throw new ApiFailure('unknown_vault', error.message);
      throw new ApiFailure('unavailable', `the enterprise node ${nodeId} did not answer`, { node_id: nodeId });
    }
  }

  async #step(nodeId: string, req: UploadRequest): Promise<Extract<UploadReply, { ok: true }>> {
    const reply = await this.#call<UploadReply>(enterpriseSubjects(nodeId).upload, req, nodeId);
    if (!reply.ok) throw problemFailure(reply.problem);
    return reply;
  }

  /** Runs an upload; on any failure the upload is aborted on the enterprise node (best effort) and nothing is visible. */
  async #run(
    vaultId: string,
    begin: (upload_id: string) => UploadRequest,
    send: (nodeId: string, upload_id: string) => Promise<number>,
  ): Promise<UploadResponse> {
    const nodeId = this.#nodeOf(vaultId);
    const upload_id = `upl_${randomUUID()}`;
    const began = await this.#step(nodeId, begin(upload_id));
    try {
      const bytes = await send(nodeId, upload_id);
      const done = await this.#step(nodeId, { op: 'commit', upload_id });
      this.figures.set(vaultId, { ...this.figures.get(vaultId), record_count: done.record_count ?? 0 });
      return {
        vault_id: vaultId,
        upload_id,
        accepted: done.accepted ?? 0,
        duplicates: done.duplicates ?? 0,
        record_count: done.record_count ?? 0,
        bytes,
        ...((done.record_id ?? began.record_id) ? { record_id: (done.record_id ?? began.record_id)! } : {}),
      };
    } catch (error) {
      await this.#o.bus
        .request(enterpriseSubjects(nodeId).upload, { op: 'abort', upload_id }, { timeoutMs: 10_000 })
        .catch(() => {});
      if (error instanceof UploadSyntaxError)
        throw new ApiFailure('invalid_upload', `line ${error.line}: ${error.reason}`, {
          line: error.line,
          reason: error.reason,
        });
      if (error instanceof UploadTooLarge)
        throw new ApiFailure('body_too_large', error.message, { limit_bytes: error.limitBytes });
      throw error;
    }
  }

  /** Streams a CSV or NDJSON body into a Vault. */
  async uploadRecords(
    vaultId: string,
    format: 'csv' | 'ndjson',
    body: AsyncIterable<Buffer | string>,
  ): Promise<UploadResponse> {
    let bytes = 0;
    const counted = (async function* () {
      for await (const chunk of body) {
        bytes += chunk.length;
        yield chunk;
      }
    })();
    return this.#run(
      vaultId,
      (upload_id) => ({ op: 'begin', vault_id: vaultId, upload_id }),
      async (nodeId, upload_id) => {
        if (format === 'csv') {
          for await (const b of csvBatches(counted, BATCH, MAX_UPLOAD_BYTES))
            await this.#step(nodeId, {
              op: 'csv_rows',
              upload_id,
              columns: b.columns,
              rows: b.rows,
              first_line: b.first_line,
            });
        } else {
          for await (const b of ndjsonBatches(counted, BATCH, MAX_UPLOAD_BYTES))
            await this.#step(nodeId, {
              op: 'records',
              upload_id,
              records: b.records as never,
              first_line: b.first_line,
            });
        }
        return bytes;
      },
    );
  }

  /** Streams a binary document (PNG, JPEG or PDF) of a subject into a Vault, sealed chunk by chunk. */
  async uploadDocument(
    vaultId: string,
    subject: string,
    recordId: string | undefined,
    body: AsyncIterable<Buffer | string>,
  ): Promise<UploadResponse> {
    return this.#run(
      vaultId,
      (upload_id) => ({
        op: 'begin_document',
        vault_id: vaultId,
        upload_id,
        subject,
        ...(recordId ? { record_id: recordId } : {}),
      }),
      async (nodeId, upload_id) => {
        let bytes = 0;
        let pending: Buffer[] = [];
        let pendingBytes = 0;
        const flush = async () => {
          if (pendingBytes === 0) return;
          const data = Buffer.concat(pending);
          pending = [];
          pendingBytes = 0;
          await this.#step(nodeId, { op: 'chunk', upload_id, data_base64: data.toString('base64') });
        };
        for await (const chunk of body) {
          const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
          bytes += buf.length;
          if (bytes > MAX_DOCUMENT_BYTES) throw new UploadTooLarge(MAX_DOCUMENT_BYTES);
          pending.push(buf);
          pendingBytes += buf.length;
          if (pendingBytes >= CHUNK_BYTES) await flush();
        }
        await flush();
        if (bytes === 0) throw new ApiFailure('unsupported_media_type', 'the document is empty', { field: 'body' });
        return bytes;
      },
    );
  }

  async #vault<T>(vaultId: string, req: VaultRequest): Promise<T> {
    const nodeId = this.#nodeOf(vaultId);
    return this.#call<T>(enterpriseSubjects(nodeId).vault, req, nodeId);
  }

  /** A Vault's record count, size, key version and last snapshot root (as published in the log). */
  async show(vaultId: string): Promise<VaultView> {
    const f = await this.#vault<VaultFigures>(vaultId, { op: 'show', vault_id: vaultId });
    const published = this.#o.follower.state.vaults[vaultId]?.last_snapshot;
    this.figures.set(vaultId, { record_count: f.record_count, size_bytes: f.size_bytes });
    return {
      vault_id: f.vault_id,
      node_id: f.node_id,
      record_count: f.record_count,
      size_bytes: f.size_bytes,
      key_version: f.key_version,
      ...(published
        ? {
            last_snapshot: {
              epoch_id: published.epoch_id,
              record_count: published.record_count,
              commitments_root: published.commitments_root,
            },
          }
        : {}),
    };
  }

  /**
   * Asks every registered Vault's node for its current figures (record count, size), each within
   * `timeoutMs`, for a metrics scrape. A node that does not answer keeps its last figures and is
   * reported as stale; returns the Vaults whose figures are current.
   */
  async refreshFigures(timeoutMs = 2000): Promise<Set<string>> {
    const fresh = new Set<string>();
    await Promise.all(
      Object.entries(this.#o.follower.state.vaults).map(async ([vault_id, v]) => {
        try {
          const f = (await this.#o.bus.request(
            enterpriseSubjects(v.node_id).vault,
            { op: 'show', vault_id } satisfies VaultRequest,
            { timeoutMs },
          )) as VaultFigures;
          this.figures.set(vault_id, { record_count: f.record_count, size_bytes: f.size_bytes });
          fresh.add(vault_id);
        } catch {
          // Stale: the gauge keeps the last figures and scs_vault_figures_fresh says 0.
        }
      }),
    );
    this.fresh = fresh;
    return fresh;
  }

  /** The Vaults whose figures the last refresh got from their node. */
  fresh = new Set<string>();

  /** Every registered Vault with its figures. */
  async list(): Promise<VaultView[]> {
    return Promise.all(
      Object.keys(this.#o.follower.state.vaults)
        .sort()
        .map((id) => this.show(id)),
    );
  }

  async commitments(vaultId: string): Promise<VaultCommitmentsView> {
    const c = await this.#vault<VaultCommitments>(vaultId, { op: 'commitments', vault_id: vaultId });
    return { vault_id: c.vault_id, as_of_seq: c.as_of_seq, root: c.root, commitments: c.commitments };
  }

  /**
   * Has the hosting node sign and log the Vault operator's decision on a program. A refusal by the
   * protocol (already approved, not approved) is `program_refused` with its reason.
   */
  async decideProgram(vaultId: string, action: 'approve' | 'revoke', code_hash: string): Promise<ProgramDecisionReply> {
    const nodeId = this.#nodeOf(vaultId);
    try {
      return (await this.#o.bus.request(
        enterpriseSubjects(nodeId).vault,
        { op: 'program', vault_id: vaultId, action, code_hash } satisfies VaultRequest,
        { timeoutMs: this.#o.requestTimeoutMs ?? 60_000 },
      )) as ProgramDecisionReply;
    } catch (error) {
      if (hasErrorCode(error) && ['program_already_approved', 'program_not_approved'].includes(error.code))
        throw new ApiFailure('program_refused', error.message, { reason: error.code });
      if (hasErrorCode(error) && error.code === 'unknown_vault') throw new ApiFailure('unknown_vault', error.message);
      throw new ApiFailure('unavailable', `the enterprise node ${nodeId} did not answer`, { node_id: nodeId });
    }
  }

  /** Asks the hosting node for its signed snapshot root of the open epoch and appends it to the log. */
  async publishSnapshot(vaultId: string): Promise<VaultSnapshotView> {
    const epoch_id = this.#o.follower.state.current_epoch;
    const s = await this.#vault<VaultSnapshot>(vaultId, { op: 'snapshot', vault_id: vaultId, epoch_id });
    const { signature, ...snapshot } = s;
    const result = await this.#o.writer.append({ type: 'vault_snapshot_published', snapshot, signature });
    if (result.kind === 'refused')
      throw new ApiFailure('epoch_refused', `the protocol refused the snapshot: ${result.refusal.message}`, {
        reason: result.refusal.code,
      });
    return {
      vault_id: vaultId,
      epoch_id,
      record_count: s.record_count,
      commitments_root: s.commitments_root,
      log_seq: result.seq,
    };
  }
}
