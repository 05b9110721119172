/** Asks the enterprise nodes hosting Vaults to sign statements about them (the Vault operator's signature). */
import type { ProtocolState } from '@symphony/protocol';
import type { Bus } from '../ports/bus.ts';
import { hasErrorCode } from '../ports/errors.ts';
import { type AttestReply, type AttestRequest, enterpriseSubjects } from '../wire/enterprise-rpc.ts';
import { ApiFailure } from './master-api.ts';

/**
 * The statements, each signed by the node hosting its `vault_id` (one request per node), in the
 * order given; or an `ApiFailure` (`unknown_vault`, `unavailable`).
 */
export async function vaultAttestations<T extends Record<string, unknown> & { vault_id: string }>(
  state: ProtocolState,
  bus: Bus,
  kind: AttestRequest['kind'],
  statements: readonly T[],
  timeoutMs: number,
): Promise<(T & { signer_node: string; signature: string })[]> {
  const byNode = new Map<string, number[]>();
  for (const [i, s] of statements.entries()) {
    const vault = state.vaults[s.vault_id];
    if (!vault)
      throw new ApiFailure('unknown_vault', `vault ${s.vault_id} is not registered on this network`, {
        vault_id: s.vault_id,
      });
    byNode.set(vault.node_id, [...(byNode.get(vault.node_id) ?? []), i]);
  }
  const signed: (T & { signer_node: string; signature: string })[] = new Array(statements.length);
  for (const [node_id, indexes] of byNode) {
    const request: AttestRequest = {
      kind,
      statements: indexes.map((i) => ({ ...statements[i]!, signer_node: node_id })),
    };
    let reply: AttestReply;
    try {
      reply = (await bus.request(enterpriseSubjects(node_id).attest, request, { timeoutMs })) as AttestReply;
    } catch (error) {
      if (hasErrorCode(error) && error.code === 'unknown_vault') throw new ApiFailure('unknown_vault', error.message);
      throw new ApiFailure('unavailable', `the enterprise node ${node_id} did not answer`, { node_id });
    }
    for (const [k, i] of indexes.entries())
      signed[i] = reply.statements[k] as T & { signer_node: string; signature: string };
  }
  return signed;
}

/** One statement about one Vault, signed by its node. */
export async function vaultAttestation<T extends Record<string, unknown>>(
  state: ProtocolState,
  bus: Bus,
  kind: AttestRequest['kind'],
  vault_id: string,
  statement: T,
  timeoutMs: number,
): Promise<T & { vault_id: string; signer_node: string; signature: string }> {
  const [signed] = await vaultAttestations(state, bus, kind, [{ ...statement, vault_id }], timeoutMs);
  return signed!;
}
