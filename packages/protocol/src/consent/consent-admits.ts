/**
 * The consent predicate every node evaluates from its folded state: may the records of `subject`
 * in `vault_id` contribute to a task of `scope` admitted at log position `at`? Only consent
 * changes ordered before the admission entry count, and a grant must not have expired at the
 * admission entry's log time. Fails closed: no record, no consent.
 */
import type { UsageScope } from '../objects/common.ts';
import type { ProtocolState } from '../reducer/state.ts';

/** The key of one consent in `state.consents`. */
export const consentKey = (vault_id: string, subject: string, scope: string) => `${vault_id}|${subject}|${scope}`;

/** A task's admission position: the seq and log time of its `task_admitted` entry. */
export type AdmissionPosition = { seq: number; time_ms: number };

/** The admission position of a task, or undefined if the state does not hold it. */
export function admissionOf(state: ProtocolState, task_id: string): AdmissionPosition | undefined {
  const first = state.tasks[task_id]?.history[0];
  return first ? { seq: first.seq, time_ms: first.time_ms } : undefined;
}

/** True when the subject's consent for `scope` in `vault_id` was live at the admission position. */
export function consentAdmits(
  state: ProtocolState,
  vault_id: string,
  subject: string,
  scope: UsageScope,
  at: AdmissionPosition,
): boolean {
  const record = state.consents?.[consentKey(vault_id, subject, scope)];
  if (!record) return false;
  let last: (typeof record.changes)[number] | undefined;
  for (const c of record.changes) {
    if (c.seq >= at.seq) break;
    last = c;
  }
  return last?.action === 'granted' && (last.expires_at_ms ?? 0) > at.time_ms;
}

/** How a scope stands in a Vault at a position: some live consent, only lapsed ones, or none ever. */
export function scopeStanding(
  state: ProtocolState,
  vault_id: string,
  scope: UsageScope,
  at: AdmissionPosition,
): 'live' | 'lapsed' | 'none' {
  let seen = false;
  for (const r of Object.values(state.consents ?? {})) {
    if (r.vault_id !== vault_id || r.scope !== scope) continue;
    if (!r.changes.some((c) => c.seq < at.seq)) continue;
    if (consentAdmits(state, vault_id, r.subject, scope, at)) return 'live';
    seen = true;
  }
  return seen ? 'lapsed' : 'none';
}
