/**
 * A master's store of challenge evidence, by evidence hash: the evidence a challenger posted (never
 * on the log, which carries only its hash), linked to its challenge, and the findings adjudication
 * gathered (the recorded receipt, the independent re-execution, a class checker's verdict) so that
 * `challenge replay` can reproduce the decision.
 */
import type { ChallengeFindings } from '@symphony/api';
import type { ChallengeEvidence } from '@symphony/protocol';
import { qualified } from '../data/sql-names.ts';
import type { Migration, Store } from '../ports/store.ts';

export function challengeEvidenceMigrations(schema: string): Migration[] {
  return [
    {
      id: `${schema}/0101-challenge-evidence`,
      sql: `create schema if not exists ${schema};
        create table ${qualified(schema, 'challenge_evidence')} (
          evidence_hash text primary key,
          challenge_id text not null,
          evidence jsonb not null,
          findings jsonb,
          recorded_at timestamptz not null default now()
        );
        create index on ${qualified(schema, 'challenge_evidence')} (challenge_id);`,
    },
  ];
}

export type StoredEvidence = { evidence_hash: string; evidence: ChallengeEvidence; findings?: ChallengeFindings };

export class ChallengeEvidenceStore {
  readonly #store: Store;
  readonly #table: string;

  constructor(store: Store, schema: string) {
    this.#store = store;
    this.#table = qualified(schema, 'challenge_evidence');
  }

  /** Stores evidence unless its hash is stored; true when this call stored it. */
  async put(evidenceHash: string, challengeId: string, evidence: ChallengeEvidence): Promise<boolean> {
    const rows = await this.#store.query<{ evidence_hash: string }>(
      `insert into ${this.#table} (evidence_hash, challenge_id, evidence) values ($1, $2, $3::jsonb)
       on conflict (evidence_hash) do nothing returning evidence_hash`,
      [evidenceHash, challengeId, JSON.stringify(evidence)],
    );
    return rows.length === 1;
  }

  /** Removes evidence stored for a challenge the log refused (nothing of a refused challenge stays). */
  async remove(evidenceHash: string): Promise<void> {
    await this.#store.query(`delete from ${this.#table} where evidence_hash = $1 and findings is null`, [evidenceHash]);
  }

  async get(evidenceHash: string): Promise<StoredEvidence | undefined> {
    const rows = await this.#store.query<{
      evidence_hash: string;
      evidence: ChallengeEvidence;
      findings: ChallengeFindings | null;
    }>(`select evidence_hash, evidence, findings from ${this.#table} where evidence_hash = $1`, [evidenceHash]);
    const r = rows[0];
    return r
      ? { evidence_hash: r.evidence_hash, evidence: r.evidence, ...(r.findings ? { findings: r.findings } : {}) }
      : undefined;
  }

  async setFindings(evidenceHash: string, findings: ChallengeFindings): Promise<void> {
    await this.#store.query(`update ${this.#table} set findings = $2::jsonb where evidence_hash = $1`, [
      evidenceHash,
      JSON.stringify(findings),
    ]);
  }
}
