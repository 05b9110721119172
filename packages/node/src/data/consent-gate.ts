/**
 * The consent boundary of the data plane: which subjects' records may contribute to one task.
 * The materializer asks `gateFor` once per task and keeps only rows whose subject the gate admits;
 * the answer is a pure function of the protocol log up to the task's admission entry, so the
 * execution and every re-execution see the same rows. Fails closed: an unknown task, a task
 * whose envelope does not match the log, or a subject without a live consent admits nothing.
 */
import type { TaskEnvelope, UsageScope } from '@symphony/protocol';

/** Whether the records of `subject` in `vault_id` may contribute to the task the gate was made for. */
export interface ConsentGate {
  readonly scope: UsageScope;
  admits(vault_id: string, subject: string): boolean;
}

/**
 * How a transcript names the consent point it executed under: the task's own admission entry. By
 * rule, not by log position: the entry's seq depends on how the deployment interleaved the log, so
 * a transcript naming it would hash differently on two deployments given the same input (and the
 * receipt, its settlement entry and root with it). The rule and the task id identify the entry in
 * any log; the rows it admitted are bound by the inputs' `records_root`.
 */
export const CONSENT_AS_OF = 'task_admitted';

/** Builds a task's gate from the node's folded copy of the protocol log. */
export interface ConsentOracle {
  /** The gate of an admitted task; the envelope must hash to the one its admission entry recorded. */
  gateFor(envelope: TaskEnvelope): Promise<ConsentGate>;
}
