/** Ingesting records into a Vault through the API edge (routed to the Vault's enterprise node). */

import { ActorId, RecordId, VaultId } from '@symphony/protocol';
import Type, { type Static } from 'typebox';

const Scalar = Type.Union([Type.String({ maxLength: 1024 }), Type.Integer(), Type.Boolean(), Type.Null()]);
/** A local field: a scalar, or a list of flat items (e.g. receipt lines) that a Vault mapping derives from. */
const FieldValue = Type.Union([
  Scalar,
  Type.Array(
    Type.Record(Type.String({ pattern: '^[a-z][a-z0-9_]{0,63}$' }), Scalar, {
      maxProperties: 32,
      additionalProperties: false,
    }),
    { maxItems: 256 },
  ),
]);

export const RecordInput = Type.Object(
  {
    record_id: Type.Optional(RecordId),
    subject: ActorId,
    fields: Type.Record(Type.String({ pattern: '^[a-z][a-z0-9_]{0,63}$' }), FieldValue, {
      maxProperties: 64,
      additionalProperties: false,
    }),
  },
  { additionalProperties: false, description: 'One record of a data subject; decimals are strings ("12.50").' },
);
export type RecordInput = Static<typeof RecordInput>;

export const IngestRecordsRequest = Type.Object(
  { records: Type.Array(RecordInput, { minItems: 1, maxItems: 10_000 }) },
  { additionalProperties: false },
);
export type IngestRecordsRequest = Static<typeof IngestRecordsRequest>;

export const IngestRecordsResponse = Type.Object(
  {
    vault_id: VaultId,
    accepted: Type.Integer({ minimum: 0 }),
    duplicates: Type.Integer({ minimum: 0 }),
    record_count: Type.Integer({ minimum: 0, description: 'Records now in the Vault.' }),
  },
  { additionalProperties: false },
);
export type IngestRecordsResponse = Static<typeof IngestRecordsResponse>;
