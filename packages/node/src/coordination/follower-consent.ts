/**
 * Consent evaluated from a node's own folded copy of the protocol log: an enterprise node trusts
 * no master's word about consent; it reads grants and revocations from the log it follows.
 */
import { admissionOf, consentAdmits, envelopeHash, type TaskEnvelope } from '@symphony/protocol';
import type { ConsentGate, ConsentOracle } from '../data/consent-gate.ts';
import { PortError } from '../ports/errors.ts';
import type { StateFollower } from './state-follower.ts';

/** Raised when the task's log entry does not match what the node was asked to run. */
export class ConsentUnavailable extends PortError {}

export class FollowerConsentOracle implements ConsentOracle {
  readonly #follower: StateFollower;
  readonly #waitMs: number;

  constructor(follower: StateFollower, waitMs = 10_000) {
    this.#follower = follower;
    this.#waitMs = waitMs;
  }

  async gateFor(envelope: TaskEnvelope): Promise<ConsentGate> {
    const task_id = envelope.task_id;
    const deadline = Date.now() + this.#waitMs;
    while (!this.#follower.state.tasks[task_id]) {
      const left = deadline - Date.now();
      if (left <= 0) throw new ConsentUnavailable('log_behind', `task ${task_id} is not in this node's log yet`);
      await Promise.race([
        this.#follower.waitFor(this.#follower.nextSeq),
        new Promise((resolve) => setTimeout(resolve, Math.min(left, 250)).unref()),
      ]);
    }
    const state = this.#follower.state;
    const task = state.tasks[task_id]!;
    if (task.envelope_hash !== envelopeHash(envelope))
      throw new ConsentUnavailable('envelope_mismatch', `task ${task_id} has another envelope in the log`);
    const at = admissionOf(state, task_id)!;
    const scope = envelope.consent_scope;
    return {
      scope,
      admits: (vault_id, subject) => consentAdmits(state, vault_id, subject, scope, at),
    };
  }
}
