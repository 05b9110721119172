/**
 * Adjudication of challenge evidence: a pure function of the state the challenge was raised
 * against (the log folded up to, not including, the entry that brought the evidence), the
 * evidence, and the findings the adjudicator gathered off the log (the recorded receipt, an
 * independent re-execution, a class checker's verdict). The same inputs give the same
 * `ChallengeAdjudication`, byte for byte, in any process: that is what `challenge replay` checks.
 */
import { verifyEd25519 } from '../crypto/ed25519.ts';
import { digestBytes, receiptHash, statementHash } from '../crypto/signing-digests.ts';
import { domainHash, type Hex64 } from '../hashing/domain-hash.ts';
import type { Challenge } from '../objects/challenge.ts';
import {
  type ChallengeAdjudication,
  type ChallengeEvidence,
  type SignedStatement,
  TASK_EVIDENCE_KINDS,
  VerificationTags,
} from '../objects/challenge-evidence.ts';
import type { ExecutionReceipt } from '../objects/execution-receipt.ts';
import type { ProtocolState } from '../reducer/state.ts';

/** `evidence_hash` of a challenge's evidence. */
export function challengeEvidenceHash(evidence: ChallengeEvidence): Hex64 {
  return domainHash(VerificationTags.challengeEvidence, evidence);
}

/** `decision_hash` of an adjudication: what `challenge_decided` carries. */
export function adjudicationHash(a: ChallengeAdjudication): Hex64 {
  return domainHash(VerificationTags.challengeDecision, a);
}

/** Why evidence does not fit its challenge, naming the field (checked at ingress, before anything is stored). */
export type EvidenceMismatch = { field: string; message: string };

/** Checks that the evidence's kind and identifiers fit the challenge target. */
export function evidenceFitsTarget(
  target: Challenge['target'],
  evidence: ChallengeEvidence,
): EvidenceMismatch | undefined {
  const forTask = TASK_EVIDENCE_KINDS.includes(evidence.kind);
  if (target.kind === 'task') {
    if (!forTask)
      return { field: 'evidence.kind', message: `${evidence.kind} evidence disputes a settlement, not a task` };
    if ('task_id' in evidence && evidence.task_id !== target.task_id)
      return { field: 'evidence.task_id', message: `evidence is about ${evidence.task_id}, not ${target.task_id}` };
    return undefined;
  }
  if (forTask)
    return { field: 'evidence.kind', message: `${evidence.kind} evidence disputes a task, not a settlement` };
  if ('epoch_id' in evidence && evidence.epoch_id !== target.epoch_id)
    return {
      field: 'evidence.epoch_id',
      message: `evidence is about epoch ${evidence.epoch_id}, not ${target.epoch_id}`,
    };
  return undefined;
}

/** A class-specific check of an aggregation transcript (Query, Train) that plugs into adjudication. */
export type ClassCheckVerdict = { confirmed: boolean; reason_code: string };

/** What the adjudicator found off the log. */
export type AdjudicationFindings = {
  /** The recorded receipt of the challenged task (its hash must be the task's `receipt_hash`). */
  receipt?: ExecutionReceipt;
  /** The output of an independent re-execution under the receipt's replay context. */
  reexecution?: { output_hash: string; transcript_hash: string };
  /** The verdict of the task class's evidence checker (e.g. Query's k_min check of a released group). */
  class_check?: ClassCheckVerdict;
};

type Verdict = { confirmed: boolean; reason_code: string; accused?: string };

const no = (reason_code: string): Verdict => ({ confirmed: false, reason_code });

function masterSigned(state: ProtocolState, master_id: string, s: SignedStatement): boolean {
  const m = state.masters[master_id];
  return !!m && verifyEd25519(m.public_key, digestBytes(statementHash(s.statement)), s.signature);
}

function taskVerdict(
  state: ProtocolState,
  challenge: Challenge,
  evidence: ChallengeEvidence,
  findings: AdjudicationFindings,
): Verdict {
  const task_id = challenge.target.kind === 'task' ? challenge.target.task_id : '';
  const t = state.tasks[task_id];
  if (!t?.receipt_hash || !t.executor_node) return no('task_has_no_receipt');
  const node = state.enterprise_nodes[t.executor_node];
  const receipt = findings.receipt;
  const recorded = receipt !== undefined && receiptHash(receipt) === t.receipt_hash ? receipt : undefined;
  switch (evidence.kind) {
    case 'conflicting_receipt': {
      const r = evidence.receipt;
      if (r.task_id !== t.task_id || r.attempt !== t.attempt) return no('receipt_other_attempt');
      if (r.executor_node !== t.executor_node || r.signer_public_key !== node?.public_key)
        return no('receipt_not_from_executor');
      if (!verifyEd25519(r.signer_public_key, digestBytes(receiptHash(r)), r.signature))
        return no('receipt_signature_invalid');
      if (receiptHash(r) === t.receipt_hash) return no('receipt_not_conflicting');
      return { confirmed: true, reason_code: 'executor_signed_conflicting_receipts', accused: t.executor_node };
    }
    case 'replay_output': {
      if (evidence.attempt !== t.attempt) return no('replay_other_attempt');
      if (!recorded) return no('receipt_unavailable');
      const again = findings.reexecution;
      if (!again) return no('reexecution_unavailable');
      if (again.output_hash !== recorded.output_hash)
        return { confirmed: true, reason_code: 'output_mismatch', accused: t.executor_node };
      if (again.transcript_hash !== recorded.transcript_hash)
        return { confirmed: true, reason_code: 'transcript_mismatch', accused: t.executor_node };
      return no('reexecution_matches_receipt');
    }
    case 'group_under_k_min': {
      if (evidence.attempt !== t.attempt) return no('claim_other_attempt');
      if (!recorded) return no('receipt_unavailable');
      if (evidence.output_hash !== recorded.output_hash) return no('claim_other_output');
      const verdict = findings.class_check;
      if (!verdict) return no('evidence_not_checkable');
      return verdict.confirmed
        ? { confirmed: true, reason_code: verdict.reason_code, accused: t.executor_node }
        : no(verdict.reason_code);
    }
    default:
      return no('evidence_kind_mismatch');
  }
}

function settlementVerdict(state: ProtocolState, evidence: ChallengeEvidence): Verdict {
  switch (evidence.kind) {
    case 'master_equivocation': {
      const [a, b] = evidence.signed as [SignedStatement, SignedStatement];
      if (!masterSigned(state, evidence.master_id, a) || !masterSigned(state, evidence.master_id, b))
        return no('statement_signature_invalid');
      const same = (s: SignedStatement) =>
        s.statement.network_id === state.network_id && s.statement.epoch_id === evidence.epoch_id;
      if (!same(a) || !same(b)) return no('statement_other_epoch');
      if (a.statement.attempt !== b.statement.attempt) return no('statements_other_attempts');
      if (statementHash(a.statement) === statementHash(b.statement)) return no('statements_identical');
      return { confirmed: true, reason_code: 'master_equivocation', accused: evidence.master_id };
    }
    case 'wrong_settlement_entry': {
      const st = evidence.signed.statement;
      if (!masterSigned(state, evidence.master_id, evidence.signed)) return no('statement_signature_invalid');
      if (st.network_id !== state.network_id || st.epoch_id !== evidence.epoch_id) return no('statement_other_epoch');
      const candidate = state.settlements[evidence.epoch_id]?.candidate?.statement;
      if (!candidate) return no('no_candidate');
      if (st.attempt !== candidate.attempt) return no('statement_other_attempt');
      if (statementHash(st) === statementHash(candidate)) return no('statement_matches_candidate');
      return { confirmed: true, reason_code: 'master_signed_wrong_root', accused: evidence.master_id };
    }
    default:
      return no('evidence_kind_mismatch');
  }
}

/**
 * Decides a challenge from its evidence. `state` is the state before the entry that brought the
 * evidence (the opening, or the reopening for new evidence).
 */
export function adjudicateEvidence(
  state: ProtocolState,
  challenge: Challenge,
  evidence: ChallengeEvidence,
  findings: AdjudicationFindings = {},
): ChallengeAdjudication {
  const evidence_hash = challengeEvidenceHash(evidence);
  const misfit = evidenceFitsTarget(challenge.target, evidence);
  const verdict: Verdict = misfit
    ? no('evidence_kind_mismatch')
    : challenge.target.kind === 'task'
      ? taskVerdict(state, challenge, evidence, findings)
      : settlementVerdict(state, evidence);
  return {
    challenge_id: challenge.challenge_id,
    evidence_hash,
    outcome: verdict.confirmed ? 'confirmed' : 'not_confirmed',
    reason_code: verdict.reason_code,
    ...(verdict.accused ? { accused: verdict.accused } : {}),
    ...(evidence.kind === 'replay_output' && findings.reexecution
      ? {
          reexecution: {
            output_hash: findings.reexecution.output_hash,
            transcript_hash: findings.reexecution.transcript_hash,
          },
        }
      : {}),
  };
}
