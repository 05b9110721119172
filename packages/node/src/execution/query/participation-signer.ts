/**
 * The Vault side of participant queries: the hosting node signs a subject's acceptance with its
 * node key (the Vault operator acting for the subject, as for consent).
 */
import { digestBytes, participationHash } from '@symphony/protocol';
import { PortError } from '../../ports/errors.ts';
import type { Keyring } from '../../ports/keyring.ts';

export type ParticipationSignRequest = { task_id: string; vault_id: string; subject: string };
export type ParticipationSignReply = ParticipationSignRequest & { signer_node: string; signature: string };

export async function signParticipation(
  node: { nodeId: string; keyName: string; keyring: Keyring; hosts(vault_id: string): boolean },
  req: ParticipationSignRequest,
): Promise<ParticipationSignReply> {
  if (!node.hosts(req.vault_id))
    throw new PortError('unknown_vault', `vault ${req.vault_id} is not hosted by ${node.nodeId}`);
  const statement = { task_id: req.task_id, vault_id: req.vault_id, subject: req.subject, signer_node: node.nodeId };
  return { ...statement, signature: await node.keyring.sign(node.keyName, digestBytes(participationHash(statement))) };
}
