/**
 * The authorization-aware materializer: the only path from sealed Vault records to plaintext rows.
 * It runs inside the enterprise node, for the execution runtime of that node only, and returns
 * rows holding just the task's resolved attributes (derived from the Vault's local fields by the
 * binding's rules; never other fields, never record ids), of the subjects the admissibility
 * predicate admits, as of a pinned snapshot.
 *
 * Who may see what is an explicit input: `admissible(subject)` (the subject's consent for the
 * task's scope at the task's log position: `data/consent-gate.ts`) and `attributes` (the resolved
 * attributes the submitter is granted). A subject the predicate refuses, a crypto-shredded record
 * and a record past its retention are not read. The predicate is asked for every task (consent is
 * per task); only the records root of a given snapshot and refused set is reused.
 */
import { buildMerkleTree, type Derivation, evaluateDerivation, hexToBytes, parseDerivation } from '@symphony/protocol';
import type { StoredRecord, VaultRecords } from './vault-records.ts';

/** One materialized row: the subject (for k-anonymity and contributions) and the resolved attributes only. */
export type MaterializedRow = { subject: string; fields: Record<string, unknown> };

/** Decides whether a subject's records may be read for this task; must be pure and fail closed. */
export type Admissibility = (subject: string) => boolean;

export type MaterializeRequest = {
  vault_id: string;
  as_of_seq: number;
  /** The task's reference time (its admission time): records expired by then are not read. */
  as_of_ms: number;
  /** Canonical attribute -> derivation rule over the Vault's fields, for the resolved, granted attributes. */
  attributes: readonly { attribute: string; derivation: string }[];
  admissible: Admissibility;
};

export type Materialized = {
  /** Frozen: the same rows are shared by every task that keeps the same records of a snapshot. */
  rows: readonly MaterializedRow[];
  /** Merkle root of the commitments of the records read (the execution input commitment). */
  records_root: string;
  record_count: number;
  /** Records of the snapshot refused by the predicate (a count, never ids). */
  refused: number;
};

/** Raised for a derivation rule that does not parse: the execution is refused, never guessed. */
export class InvalidDerivation extends Error {
  readonly code = 'invalid_derivation';
}

type Derived = { subject: string; commitment: string; fields: Record<string, unknown> };

/** Derived rows per snapshot (a snapshot never changes) and binding: derivation runs once, filtering per task. */
const derivedWork = new WeakMap<readonly StoredRecord[], Map<string, Derived[]>>();

function rulesOf(attributes: MaterializeRequest['attributes']): [string, Derivation][] {
  return attributes.map((a) => {
    const parsed = parseDerivation(a.derivation);
    if (!parsed.ok) throw new InvalidDerivation(`attribute ${a.attribute}: ${parsed.error}`);
    return [a.attribute, parsed.rule];
  });
}

/**
 * Keeps the records whose subject `admissible` admits: asked once per subject, and a predicate that
 * throws admits nothing (fails closed). The execution path's only consent filter.
 */
export function keepAdmissible<T extends { readonly subject: string }>(
  admissible: Admissibility,
  records: readonly T[],
): T[] {
  const decided = new Map<string, boolean>();
  return records.filter((r) => {
    let ok = decided.get(r.subject);
    if (ok === undefined) {
      try {
        ok = admissible(r.subject) === true;
      } catch {
        ok = false;
      }
      decided.set(r.subject, ok);
    }
    return ok;
  });
}

/** Materializes one Vault for one task. */
export async function materializeRecords(
  records: Pick<VaultRecords, 'snapshot'>,
  req: MaterializeRequest,
): Promise<Materialized> {
  const stored = await records.snapshot(req.vault_id, req.as_of_seq, req.as_of_ms);
  let perBinding = derivedWork.get(stored);
  if (!perBinding) {
    perBinding = new Map();
    derivedWork.set(stored, perBinding);
  }
  const key = req.attributes.map((a) => `${a.attribute}=${a.derivation}`).join(',');
  let derived = perBinding.get(key);
  if (!derived) {
    const rules = rulesOf(req.attributes);
    derived = stored.map((r) => ({
      subject: r.subject,
      commitment: r.commitment,
      fields: Object.fromEntries(rules.map(([attribute, rule]) => [attribute, evaluateDerivation(rule, r.fields)])),
    }));
    perBinding.set(key, derived);
  }
  // Consent is asked for every task, once per distinct subject (a predicate that throws refuses).
  const refusedSubjects: string[] = [];
  for (const subject of subjectsOf(derived)) {
    let ok: boolean;
    try {
      ok = req.admissible(subject) === true;
    } catch {
      ok = false;
    }
    if (!ok) refusedSubjects.push(subject);
  }
  const kept = keptOf(derived, refusedSubjects);
  return {
    rows: kept.rows,
    records_root: kept.records_root,
    record_count: kept.rows.length,
    refused: derived.length - kept.rows.length,
  };
}

/** Distinct subjects of derived rows, in first-seen order. */
const subjectsByDerived = new WeakMap<readonly Derived[], readonly string[]>();

function subjectsOf(derived: readonly Derived[]): readonly string[] {
  let subjects = subjectsByDerived.get(derived);
  if (!subjects) {
    subjects = [...new Set(derived.map((r) => r.subject))];
    subjectsByDerived.set(derived, subjects);
  }
  return subjects;
}

type Kept = { rows: readonly MaterializedRow[]; records_root: string };

/**
 * The rows kept and the Merkle root of their commitments, by derived rows and the subjects refused
 * (in first-seen order): the same snapshot and the same refused set always keep the same records in
 * the same order, so both are built once and every later task (and the verifier's re-execution)
 * reuses them. The rows are frozen (shared between tasks); they hold nothing the derived rows of
 * the snapshot do not, and go with them.
 */
const keptByRefused = new WeakMap<readonly Derived[], Map<string, Kept>>();
/** Distinct refused sets remembered per derived rows at most (consent changes add new ones). */
const MAX_KEPT_PER_SNAPSHOT = 64;

function keptOf(derived: readonly Derived[], refusedSubjects: readonly string[]): Kept {
  let byRefused = keptByRefused.get(derived);
  if (!byRefused) {
    byRefused = new Map();
    keptByRefused.set(derived, byRefused);
  }
  const key = JSON.stringify(refusedSubjects);
  let kept = byRefused.get(key);
  if (kept === undefined) {
    const refused = new Set(refusedSubjects);
    const records = derived.filter((r) => !refused.has(r.subject));
    kept = Object.freeze({
      rows: Object.freeze(records.map((r) => Object.freeze({ subject: r.subject, fields: r.fields }))),
      records_root: buildMerkleTree(records.map((r) => hexToBytes(r.commitment))).rootHex,
    });
    if (byRefused.size >= MAX_KEPT_PER_SNAPSHOT) byRefused.delete(byRefused.keys().next().value as string);
    byRefused.set(key, kept);
  }
  return kept;
}
