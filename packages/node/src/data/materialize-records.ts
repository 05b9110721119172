/**
 * The authorization-aware materializer: the only path from sealed Vault records to plaintext rows.
 * It runs inside the enterprise node, for the execution runtime of that node only, and returns
 * rows holding just the task's resolved attributes (never other fields, never record ids), of the
 * subjects the admissibility predicate admits, as of a pinned snapshot.
 *
 * Who may see what is an explicit input: `admissible(subject)` (consent of the subject for the
 * task's scope at the task's log position, combined by the caller with any other per-subject
 * rule) and `attributes` (the resolved attributes the submitter is granted). A subject the
 * predicate refuses, a crypto-shredded record and a record past its retention are not read.
 */
import { buildMerkleTree, hexToBytes } from '@symphony/protocol';
import type { StoredRecord, VaultRecords } from './vault-records.ts';

/** One materialized row: the subject (for k-anonymity and contributions) and the resolved attributes only. */
export type MaterializedRow = { subject: string; fields: Record<string, unknown> };

/** Decides whether a subject's records may be read for this task; must be pure and fail closed. */
export type Admissibility = (subject: string) => boolean;

/** Admits every subject: what the network has until consent events exist (see docs/protocol.md). */
export const ADMIT_ALL: Admissibility = () => true;

export type MaterializeRequest = {
  vault_id: string;
  as_of_seq: number;
  /** The task's reference time (its admission time): records expired by then are not read. */
  as_of_ms: number;
  /** Canonical attribute -> Vault field, for the attributes the task resolved and is granted. */
  attributes: readonly { attribute: string; field: string }[];
  admissible: Admissibility;
};

export type Materialized = {
  rows: MaterializedRow[];
  /** Merkle root of the commitments of the records read (the execution input commitment). */
  records_root: string;
  record_count: number;
  /** Records of the snapshot refused by the predicate (a count, never ids). */
  refused: number;
};

const work = new WeakMap<readonly StoredRecord[], Map<string, Materialized>>();

/** Materializes one Vault for one task. */
export async function materializeRecords(records: VaultRecords, req: MaterializeRequest): Promise<Materialized> {
  const stored = await records.snapshot(req.vault_id, req.as_of_seq, req.as_of_ms);
  const cacheable = req.admissible === ADMIT_ALL;
  const key = req.attributes.map((a) => `${a.attribute}=${a.field}`).join(',');
  if (cacheable) {
    const hit = work.get(stored)?.get(key);
    if (hit) return hit;
  }
  const rows: MaterializedRow[] = [];
  const commitments: Uint8Array[] = [];
  let refused = 0;
  for (const r of stored) {
    let ok = false;
    try {
      ok = req.admissible(r.subject) === true;
    } catch {
      ok = false;
    }
    if (!ok) {
      refused++;
      continue;
    }
    rows.push({
      subject: r.subject,
      fields: Object.fromEntries(req.attributes.map((a) => [a.attribute, r.fields[a.field] ?? null])),
    });
    commitments.push(hexToBytes(r.commitment));
  }
  const out: Materialized = {
    rows,
    records_root: buildMerkleTree(commitments).rootHex,
    record_count: rows.length,
    refused,
  };
  if (cacheable) {
    let m = work.get(stored);
    if (!m) {
      m = new Map();
      work.set(stored, m);
    }
    m.set(key, out);
  }
  return out;
}
