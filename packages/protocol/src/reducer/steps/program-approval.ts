import { verifyEd25519 } from '../../crypto/ed25519.ts';
import { digestBytes } from '../../crypto/signing-digests.ts';
import { domainHash } from '../../hashing/domain-hash.ts';
import { type Refusal, refuse } from '../refusal.ts';
import type { ProtocolState } from '../state.ts';
import type { Step } from '../step.ts';

type Decision = { vault_id: string; node_id: string; code_hash: string };

/** What the hosting node signs: `hash("scp/v1/program-approval", { action, vault_id, node_id, code_hash })`. */
export function programDecisionHash(action: 'approve' | 'revoke', d: Decision): string {
  return domainHash('scp/v1/program-approval', {
    action,
    vault_id: d.vault_id,
    node_id: d.node_id,
    code_hash: d.code_hash,
  });
}

/** Whether `code_hash` was approved for `vault_id` by protocol event and not revoked, as of log position `seq`. */
export function programApprovedAt(state: ProtocolState, vault_id: string, code_hash: string, seq: number): boolean {
  const a = state.program_approvals?.[vault_id]?.[code_hash];
  return a !== undefined && a.approved_seq < seq && (a.revoked_seq === undefined || a.revoked_seq > seq);
}

function checkSigned(state: ProtocolState, action: 'approve' | 'revoke', d: Decision, signature: string) {
  const vault = state.vaults[d.vault_id];
  if (!vault) return refuse('unknown_vault', `vault ${d.vault_id} is not registered`);
  if (vault.node_id !== d.node_id) return refuse('wrong_node', `vault ${d.vault_id} is not hosted by ${d.node_id}`);
  const node = state.enterprise_nodes[d.node_id];
  if (!node || !verifyEd25519(node.public_key, digestBytes(programDecisionHash(action, d)), signature))
    return refuse('bad_signature', 'the program decision is not signed by the hosting node');
  return undefined;
}

const live = (state: ProtocolState, d: Decision) => {
  const a = state.program_approvals?.[d.vault_id]?.[d.code_hash];
  return a !== undefined && a.revoked_seq === undefined;
};

/** The Vault's node approves a program for the Vault (again, after a revocation). */
export const approveProgram: Step<'program_approved'> = {
  check(state, e): Refusal | undefined {
    const bad = checkSigned(state, 'approve', e.decision, e.signature);
    if (bad) return bad;
    if (live(state, e.decision)) return refuse('program_already_approved', `${e.decision.code_hash} is approved`);
    return undefined;
  },
  run(state, e, at) {
    state.program_approvals ??= {};
    const byVault = state.program_approvals[e.decision.vault_id] ?? {};
    byVault[e.decision.code_hash] = { approved_seq: at.seq };
    state.program_approvals[e.decision.vault_id] = byVault;
  },
};

/** The Vault's node withdraws a live approval; a task admitted before it may still run the program. */
export const revokeProgram: Step<'program_revoked'> = {
  check(state, e): Refusal | undefined {
    const bad = checkSigned(state, 'revoke', e.decision, e.signature);
    if (bad) return bad;
    if (!live(state, e.decision)) return refuse('program_not_approved', `${e.decision.code_hash} is not approved`);
    return undefined;
  },
  run(state, e, at) {
    state.program_approvals![e.decision.vault_id]![e.decision.code_hash]!.revoked_seq = at.seq;
  },
};
