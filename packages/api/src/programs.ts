/** A Vault operator's decision on a sandbox program (approve or revoke by code hash), logged as a protocol event. */
import { Hex64String, VaultId } from '@symphony/protocol';
import Type, { type Static } from 'typebox';

export const ProgramDecisionRequest = Type.Object(
  { code_hash: Hex64String, action: Type.Enum(['approve', 'revoke']) },
  { additionalProperties: false, description: 'SHA-256 of the program source, and whether to approve or revoke it.' },
);
export type ProgramDecisionRequest = Static<typeof ProgramDecisionRequest>;

export const ProgramDecisionView = Type.Object(
  {
    vault_id: VaultId,
    code_hash: Hex64String,
    action: Type.Enum(['approve', 'revoke']),
    seq: Type.Integer({ minimum: 0, description: 'Log position of the program_approved / program_revoked entry.' }),
  },
  { additionalProperties: false },
);
export type ProgramDecisionView = Static<typeof ProgramDecisionView>;
