/** Reads the full objects behind a task's log entries (the state keeps only hashes). */
import type { ExecutionReceipt, TaskEnvelope } from '@symphony/protocol';
import type { StateFollower } from './state-follower.ts';

const CACHE_LIMIT = 10_000;

export class TaskRecords {
  readonly #follower: StateFollower;
  readonly #envelopes = new Map<string, TaskEnvelope>();

  constructor(follower: StateFollower) {
    this.#follower = follower;
  }

  async envelope(task_id: string): Promise<TaskEnvelope | undefined> {
    const cached = this.#envelopes.get(task_id);
    if (cached) return cached;
    const admitted = this.#follower.taskEntries
      .get(task_id)
      ?.find((e) => e.type === 'task_admitted' && e.outcome === 'applied');
    if (!admitted) return undefined;
    const entry = await this.#follower.entryAt(admitted.seq);
    if (entry?.event.type !== 'task_admitted') return undefined;
    if (this.#envelopes.size >= CACHE_LIMIT) this.#envelopes.clear();
    this.#envelopes.set(task_id, entry.event.envelope);
    return entry.event.envelope;
  }

  /** The receipt the task's current verification is about (the last applied receipt). */
  async receipt(task_id: string): Promise<ExecutionReceipt | undefined> {
    const entries = this.#follower.taskEntries.get(task_id) ?? [];
    const last = [...entries].reverse().find((e) => e.type === 'execution_receipt_recorded' && e.outcome === 'applied');
    if (!last) return undefined;
    const entry = await this.#follower.entryAt(last.seq);
    return entry?.event.type === 'execution_receipt_recorded' ? entry.event.receipt : undefined;
  }
}
