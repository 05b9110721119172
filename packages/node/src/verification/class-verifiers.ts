/**
 * Verification per task class. Parse and Compute are verified by re-execution in an independent
 * enclave under the receipt's replay context (`TaskVerifier`). Query and Train are verified by
 * checking their aggregation transcript (every partial accounted for, suppression and noise
 * decisions consistent with the policy, budgets charged, model hashes consistent across Vaults):
 * a `ClassVerifier` per class (by default `aggregationVerifiers`), and the same object judges their
 * class-specific challenge evidence (e.g. `group_under_k_min` for Query).
 */
import type {
  ChallengeEvidence,
  ClassCheckVerdict,
  ExecutionReceipt,
  ParameterSet,
  ProtocolState,
  TaskClass,
  TaskEnvelope,
} from '@symphony/protocol';

/** Classes whose results are verified by re-executing them. */
export const REEXECUTED_CLASSES: readonly TaskClass[] = ['parse', 'compute'];

/** What a class verifier is given: the task, its recorded receipt and the policy it ran under. */
export type ClassCheckInput = {
  state: ProtocolState;
  envelope: TaskEnvelope;
  receipt: ExecutionReceipt;
  policy: ParameterSet;
};

/** The checks a task class contributes to verification and adjudication. */
export interface ClassVerifier {
  readonly taskClass: TaskClass;
  /**
   * Checks the aggregation transcript behind a receipt; a failure names a stable reason code.
   * Undefined when the evidence could not be fetched while the task still wanted it (no decision).
   */
  checkTranscript(input: ClassCheckInput): Promise<{ ok: true } | { ok: false; reason_code: string } | undefined>;
  /** Judges class-specific challenge evidence; absent when the class defines none. */
  checkEvidence?(input: ClassCheckInput & { evidence: ChallengeEvidence }): Promise<ClassCheckVerdict>;
}

/** Class verifiers by task class (absent classes are re-executed, or cannot be checked yet). */
export type ClassVerifiers = Partial<Record<TaskClass, ClassVerifier>>;

/** Evidence kinds a class verifier must judge, by kind. */
export const CLASS_EVIDENCE: Partial<Record<ChallengeEvidence['kind'], TaskClass>> = { group_under_k_min: 'query' };
