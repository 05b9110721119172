/**
 * Participant tasks: a query whose spec has `participation.required` reads only the records of
 * subjects who accepted it through their Vault (the hosting node signs the acceptance on the
 * subject's behalf) before it was dispatched, the first `max_participants` by log position. They
 * are the data producers its receipt credits, so the settlement pays them.
 */
import { domainHash, type Hex64 } from '../hashing/domain-hash.ts';
import type { ProtocolState } from '../reducer/state.ts';

export type ParticipationStatement = { task_id: string; vault_id: string; subject: string; signer_node: string };

/** What the Vault's node signs for an acceptance. */
export const participationHash = (s: ParticipationStatement): Hex64 =>
  domainHash('scp/v1/query-participation', {
    task_id: s.task_id,
    vault_id: s.vault_id,
    subject: s.subject,
    signer_node: s.signer_node,
  });

/** The subjects admitted as participants of a task (first `max` distinct subjects by log position). */
export function participantsOf(state: ProtocolState, task_id: string, max: number): Set<string> {
  const out = new Set<string>();
  for (const p of state.participation?.[task_id] ?? []) {
    if (out.size >= max) break;
    out.add(p.subject);
  }
  return out;
}

/** Whether a subject's records in a Vault may join a participant task. */
export function participates(state: ProtocolState, task_id: string, vault_id: string, subject: string, max: number) {
  if (!participantsOf(state, task_id, max).has(subject)) return false;
  return (state.participation?.[task_id] ?? []).some((p) => p.subject === subject && p.vault_id === vault_id);
}
