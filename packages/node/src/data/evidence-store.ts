/**
 * The evidence store of an enterprise node: sealed transcripts (transcript, attestation evidence,
 * enclave signature) and receipts needed to replay an execution, by transcript hash.
 */
import type { ExecutionReceipt, QueryAggregation, SignedTranscript } from '@symphony/protocol';
import type { Migration, Store } from '../ports/store.ts';
import { qualified } from './sql-names.ts';
import { StatementGroup, valuesList } from './statement-group.ts';

export function evidenceMigrations(schema: string): Migration[] {
  return [
    {
      id: `${schema}/0002-evidence`,
      sql: `create table ${qualified(schema, 'evidence')} (
        transcript_hash text primary key,
        task_id text not null,
        attempt integer not null,
        transcript jsonb not null,
        receipt jsonb not null,
        recorded_at timestamptz not null default now()
      );
      create index on ${qualified(schema, 'evidence')} (task_id);`,
    },
    {
      // A query's aggregation transcript (commitments only), which the verifier checks against the log.
      id: `${schema}/0003-evidence-aggregation`,
      sql: `alter table ${qualified(schema, 'evidence')} add column aggregation jsonb;`,
    },
  ];
}

const EVIDENCE_CASTS = ['', '', '::integer', '::jsonb', '::jsonb', '::jsonb'];

/** Transcripts remembered per store at most (a few seconds of executions). */
const RECENT_TRANSCRIPTS = 256;

export class EvidenceStore {
  readonly #store: Store;
  readonly #table: string;

  constructor(store: Store, schema: string) {
    this.#store = store;
    this.#table = qualified(schema, 'evidence');
  }

  /**
   * Texts of the transcripts this process stored last, by hash: the verifier's re-execution asks for
   * a transcript moments after it was stored, and a transcript under a hash never changes (the
   * table keeps the first row of a hash), so those reads skip the database. Bounded, oldest first out.
   */
  readonly #recent = new Map<string, string>();

  /** Concurrent executions' evidence rows, inserted together (see statement-group.ts). */
  readonly #puts = new StatementGroup<unknown[], void>(async (rows) => {
    await this.#store.query(
      `insert into ${this.#table} (transcript_hash, task_id, attempt, transcript, receipt, aggregation)
       values ${valuesList(rows.length, EVIDENCE_CASTS)} on conflict (transcript_hash) do nothing`,
      rows.flat(),
    );
    return rows.map(() => undefined);
  });

  async put(
    transcriptHash: string,
    sealed: SignedTranscript,
    receipt: ExecutionReceipt,
    aggregation?: QueryAggregation,
  ): Promise<void> {
    const text = JSON.stringify(sealed);
    await this.#puts.add([
      transcriptHash,
      sealed.transcript.task_id,
      sealed.transcript.attempt,
      text,
      JSON.stringify(receipt),
      aggregation ? JSON.stringify(aggregation) : null,
    ]);
    if (!this.#recent.has(transcriptHash)) {
      if (this.#recent.size >= RECENT_TRANSCRIPTS) this.#recent.delete(this.#recent.keys().next().value as string);
      this.#recent.set(transcriptHash, text);
    }
  }

  /** Every transcript and receipt kept for a task, by attempt: what a replay or a challenge of it needs. */
  async byTask(
    taskId: string,
  ): Promise<{ transcript_hash: string; transcript: SignedTranscript; receipt: ExecutionReceipt }[]> {
    return this.#store.query(
      `select transcript_hash, transcript, receipt from ${this.#table} where task_id = $1 order by attempt, recorded_at`,
      [taskId],
    );
  }

  /** The sealed transcript stored under `transcriptHash`. */
  async transcript(transcriptHash: string): Promise<SignedTranscript | undefined> {
    const recent = this.#recent.get(transcriptHash);
    // A fresh object per call, as a database read gives: callers never share one.
    if (recent !== undefined) return JSON.parse(recent) as SignedTranscript;
    const rows = await this.#store.query<{ transcript: SignedTranscript }>(
      `select transcript from ${this.#table} where transcript_hash = $1`,
      [transcriptHash],
    );
    return rows[0]?.transcript;
  }

  /** The sealed transcript and a query's aggregation transcript stored under `transcriptHash`. */
  async withAggregation(
    transcriptHash: string,
  ): Promise<{ sealed: SignedTranscript; aggregation?: QueryAggregation } | undefined> {
    const rows = await this.#store.query<{ transcript: SignedTranscript; aggregation: QueryAggregation | null }>(
      `select transcript, aggregation from ${this.#table} where transcript_hash = $1`,
      [transcriptHash],
    );
    const row = rows[0];
    if (!row) return undefined;
    return { sealed: row.transcript, ...(row.aggregation ? { aggregation: row.aggregation } : {}) };
  }
}
