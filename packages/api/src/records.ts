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

export const UploadResponse = Type.Object(
  {
    vault_id: VaultId,
    upload_id: Type.String(),
    accepted: Type.Integer({ minimum: 0 }),
    duplicates: Type.Integer({ minimum: 0 }),
    record_count: Type.Integer({ minimum: 0, description: 'Records now in the Vault.' }),
    bytes: Type.Integer({ minimum: 0, description: 'Bytes of the upload read.' }),
    record_id: Type.Optional(RecordId),
  },
  { additionalProperties: false, description: 'A committed upload: all its records are stored, or none.' },
);
export type UploadResponse = Static<typeof UploadResponse>;

export const VaultView = Type.Object(
  {
    vault_id: VaultId,
    node_id: Type.String(),
    record_count: Type.Integer({ minimum: 0 }),
    size_bytes: Type.Integer({ minimum: 0, description: 'Bytes of sealed records and documents.' }),
    key_version: Type.Integer({ minimum: 1 }),
    last_snapshot: Type.Optional(
      Type.Object(
        {
          epoch_id: Type.Integer({ minimum: 0 }),
          record_count: Type.Integer({ minimum: 0 }),
          commitments_root: Type.String(),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);
export type VaultView = Static<typeof VaultView>;

export const VaultList = Type.Object({ vaults: Type.Array(VaultView) }, { additionalProperties: false });
export type VaultList = Static<typeof VaultList>;

export const VaultCommitmentsView = Type.Object(
  {
    vault_id: VaultId,
    as_of_seq: Type.Integer({ minimum: 0 }),
    root: Type.String(),
    commitments: Type.Array(Type.String()),
  },
  { additionalProperties: false, description: 'Salted record commitments in ingest order and their Merkle root.' },
);
export type VaultCommitmentsView = Static<typeof VaultCommitmentsView>;

export const VaultSnapshotView = Type.Object(
  {
    vault_id: VaultId,
    epoch_id: Type.Integer({ minimum: 0 }),
    record_count: Type.Integer({ minimum: 0 }),
    commitments_root: Type.String(),
    log_seq: Type.Integer(),
  },
  { additionalProperties: false, description: 'A snapshot root published in the protocol log.' },
);
export type VaultSnapshotView = Static<typeof VaultSnapshotView>;
