/** Participant queries: a data subject accepts a query through its Vault (the CLI or API on its behalf). */
import { ActorId, TaskId, VaultId } from '@symphony/protocol';
import Type, { type Static } from 'typebox';

export const AcceptParticipationRequest = Type.Object(
  { vault_id: VaultId, subject: ActorId },
  {
    additionalProperties: false,
    description: "A subject's acceptance of a participant query, signed by its Vault's node on its behalf.",
  },
);
export type AcceptParticipationRequest = Static<typeof AcceptParticipationRequest>;

export const ParticipationView = Type.Object(
  {
    task_id: TaskId,
    vault_id: VaultId,
    subject: ActorId,
    /** Acceptances recorded for the task so far (all Vaults). */
    accepted: Type.Integer({ minimum: 0 }),
  },
  { additionalProperties: false },
);
export type ParticipationView = Static<typeof ParticipationView>;
