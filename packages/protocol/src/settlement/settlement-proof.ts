/**
 * Offline verification of a settlement inclusion proof and of a quorum certificate. Pure: a client
 * (the SDK, an auditor) checks what a master served with nothing but the proof, the certificate and
 * the master keys from genesis. Neither function throws; malformed input is a failed verification.
 */
import { Compile } from 'typebox/compile';
import { verifyEd25519 } from '../crypto/ed25519.ts';
import { digestBytes, statementHash } from '../crypto/signing-digests.ts';
import { canonicalBytes } from '../encoding/canonical.ts';
import { isHex64 } from '../hashing/domain-hash.ts';
import { type MerkleTree, verifyInclusion } from '../merkle/merkle-tree.ts';
import { QuorumCertificate, SettlementEntry } from '../objects/settlement.ts';

/** What `GET /v1/epochs/{epochId}/settlement/proofs/{entryId}` answers (schema `SettlementProof` in the API). */
export type SettlementProofData = {
  epoch_id: number;
  /** The entry's id: its `task_id`. */
  entry_id: string;
  entry: SettlementEntry;
  leaf_index: number;
  tree_size: number;
  /** RFC 6962 audit path, bottom-up. */
  audit_path: string[];
  settlement_root: string;
  /** The finalized context, or null while the epoch is not finalized. */
  quorum_certificate: QuorumCertificate | null;
};

export const SETTLEMENT_PROOF_FAILURES = [
  'malformed_proof',
  'entry_mismatch',
  'inclusion_failed',
  'certificate_mismatch',
  'certificate_missing',
  'certificate_invalid',
] as const;
export type SettlementProofFailure = (typeof SETTLEMENT_PROOF_FAILURES)[number];

export const QUORUM_CERTIFICATE_FAILURES = [
  'malformed_certificate',
  'unknown_master',
  'duplicate_signer',
  'bad_signature',
  'below_quorum',
] as const;
export type QuorumCertificateFailure = (typeof QUORUM_CERTIFICATE_FAILURES)[number];

export type VerificationResult<F extends string> = { ok: true } | { ok: false; reason: F; message: string };

/** Master keys from genesis: `master_id -> public key hex`, or the genesis `masters` array. */
export type MasterKeys = Readonly<Record<string, string>> | readonly { node_id: string; public_key: string }[];

const checkEntry = Compile(SettlementEntry);
const checkCertificate = Compile(QuorumCertificate);

function fail<F extends string>(reason: F, message: string): { ok: false; reason: F; message: string } {
  return { ok: false, reason, message };
}

function keyMap(keys: MasterKeys): Map<string, string> {
  if (Array.isArray(keys)) return new Map(keys.map((k) => [k.node_id, k.public_key]));
  return new Map(Object.entries(keys as Record<string, string>));
}

/**
 * Checks a quorum certificate: every signature is by a distinct master of `masterKeys` and verifies
 * over the statement hash (`scp/v1/settlement-statement`), and there are at least `quorum` of them
 * (default: a majority of the masters, 2 of 3).
 */
export function verifyQuorumCertificate(
  qc: unknown,
  masterKeys: MasterKeys,
  options: { quorum?: number } = {},
): VerificationResult<QuorumCertificateFailure> {
  try {
    if (!checkCertificate.Check(qc)) return fail('malformed_certificate', 'not a quorum certificate');
    const keys = keyMap(masterKeys);
    const quorum = options.quorum ?? Math.floor(keys.size / 2) + 1;
    const digest = digestBytes(statementHash(qc.statement));
    const seen = new Set<string>();
    for (const s of qc.signatures) {
      if (seen.has(s.master_id)) return fail('duplicate_signer', `${s.master_id} signs twice`);
      seen.add(s.master_id);
      const key = keys.get(s.master_id);
      if (key === undefined) return fail('unknown_master', `${s.master_id} is not a master`);
      if (!verifyEd25519(key, digest, s.signature)) {
        return fail('bad_signature', `the signature of ${s.master_id} does not verify`);
      }
    }
    if (seen.size < quorum) return fail('below_quorum', `${seen.size} signatures, the quorum is ${quorum}`);
    return { ok: true };
  } catch {
    return fail('malformed_certificate', 'not a quorum certificate');
  }
}

/**
 * Checks that `proof.entry` is leaf `leaf_index` of the settlement tree of `tree_size` leaves whose
 * root is `settlement_root` (leaf bytes = JCS of the entry), that the entry is the one named
 * (`entry_id = task_id`, same epoch) and, when the proof carries a quorum certificate, that the
 * certificate's statement binds this epoch, root and tree size. With `masterKeys` the certificate
 * is required and its signatures are checked too ({@link verifyQuorumCertificate}).
 */
export function verifySettlementProof(
  proof: unknown,
  masterKeys?: MasterKeys,
  options: { quorum?: number } = {},
): VerificationResult<SettlementProofFailure> {
  try {
    if (typeof proof !== 'object' || proof === null) return fail('malformed_proof', 'not a settlement proof');
    const p = proof as Partial<SettlementProofData>;
    if (
      !Number.isSafeInteger(p.epoch_id) ||
      typeof p.entry_id !== 'string' ||
      !Number.isSafeInteger(p.leaf_index) ||
      !Number.isSafeInteger(p.tree_size) ||
      !Array.isArray(p.audit_path) ||
      !p.audit_path.every((h) => isHex64(h)) ||
      !isHex64(p.settlement_root) ||
      !checkEntry.Check(p.entry)
    ) {
      return fail('malformed_proof', 'not a settlement proof');
    }
    const entry = p.entry as SettlementEntry;
    if (entry.task_id !== p.entry_id || entry.epoch_id !== p.epoch_id) {
      return fail('entry_mismatch', `the entry is ${entry.task_id} of epoch ${entry.epoch_id}`);
    }
    const merkle = { leaf_index: p.leaf_index!, tree_size: p.tree_size!, path: p.audit_path };
    if (!verifyInclusion(canonicalBytes(entry), merkle, p.settlement_root)) {
      return fail('inclusion_failed', 'the audit path does not lead to the settlement root');
    }
    const qc = p.quorum_certificate ?? null;
    if (qc === null) {
      return masterKeys ? fail('certificate_missing', 'the epoch is not finalized') : { ok: true };
    }
    if (!checkCertificate.Check(qc)) return fail('malformed_proof', 'not a quorum certificate');
    const st = qc.statement;
    if (st.epoch_id !== p.epoch_id || st.settlement_root !== p.settlement_root || st.entry_count !== p.tree_size) {
      return fail('certificate_mismatch', 'the certificate signs another epoch, root or tree size');
    }
    if (masterKeys) {
      const checked = verifyQuorumCertificate(qc, masterKeys, options);
      if (!checked.ok) return fail('certificate_invalid', `${checked.reason}: ${checked.message}`);
    }
    return { ok: true };
  } catch {
    return fail('malformed_proof', 'not a settlement proof');
  }
}

/**
 * The inclusion proof of entry `entryId` (a task id) in a tree built over `orderedEntries` (leaf
 * order), or undefined when the epoch has no such entry.
 */
export function settlementProofOf(
  epochId: number,
  orderedEntries: readonly SettlementEntry[],
  tree: MerkleTree,
  entryId: string,
  certificate: QuorumCertificate | null,
): SettlementProofData | undefined {
  const index = orderedEntries.findIndex((e) => e.task_id === entryId);
  if (index < 0) return undefined;
  const merkle = tree.proof(index);
  return {
    epoch_id: epochId,
    entry_id: entryId,
    entry: orderedEntries[index]!,
    leaf_index: merkle.leaf_index,
    tree_size: merkle.tree_size,
    audit_path: merkle.path,
    settlement_root: tree.rootHex,
    quorum_certificate: certificate,
  };
}
