/** A challenge against a task result or a settlement entry, opened in candidate context. */
import Type, { type Static } from 'typebox';
import {
  ActorId,
  AmountString,
  ChallengeId,
  EpochId,
  Hex64String,
  ReasonCode,
  SchemaVersion,
  TaskId,
} from './common.ts';

export const ChallengeTarget = Type.Union([
  Type.Object({ kind: Type.Literal('task'), task_id: TaskId }, { additionalProperties: false }),
  Type.Object({ kind: Type.Literal('settlement'), epoch_id: EpochId }, { additionalProperties: false }),
]);

export const Challenge = Type.Object(
  {
    schema_version: SchemaVersion,
    challenge_id: ChallengeId,
    target: ChallengeTarget,
    challenger: ActorId,
    grounds: ReasonCode,
    bond: AmountString,
    evidence_hash: Hex64String,
  },
  { additionalProperties: false, description: 'Evidence is stored off the log and linked by its hash.' },
);
export type Challenge = Static<typeof Challenge>;
