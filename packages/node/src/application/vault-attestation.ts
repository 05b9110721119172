/** Asks the enterprise node hosting a Vault to sign a statement about it (the Vault operator's signature). */
import type { ProtocolState } from '@symphony/protocol';
import type { Bus } from '../ports/bus.ts';
import { hasErrorCode } from '../ports/errors.ts';
import { type AttestReply, type AttestRequest, enterpriseSubjects } from '../wire/enterprise-rpc.ts';
import { ApiFailure } from './master-api.ts';

/** The statement signed by the Vault's node, or an `ApiFailure` (`unknown_vault`, `unavailable`). */
export async function vaultAttestation<T extends Record<string, unknown>>(
  state: ProtocolState,
  bus: Bus,
  kind: AttestRequest['kind'],
  vault_id: string,
  statement: T,
  timeoutMs: number,
): Promise<T & { signature: string }> {
  const vault = state.vaults[vault_id];
  if (!vault)
    throw new ApiFailure('unknown_vault', `vault ${vault_id} is not registered on this network`, { vault_id });
  const request: AttestRequest = { kind, statement: { ...statement, vault_id, signer_node: vault.node_id } };
  try {
    const reply = (await bus.request(enterpriseSubjects(vault.node_id).attest, request, { timeoutMs })) as AttestReply;
    return reply.statement as T & { signature: string };
  } catch (error) {
    if (hasErrorCode(error) && error.code === 'unknown_vault') throw new ApiFailure('unknown_vault', error.message);
    throw new ApiFailure('unavailable', `the enterprise node hosting ${vault_id} did not answer`, {
      node_id: vault.node_id,
    });
  }
}
