/** A semantic domain definition under one `semantic_version`: its canonical attributes. */
import Type, { type Static } from 'typebox';
import { AttributeName, DomainName, SchemaVersion, SemanticVersion } from './common.ts';

export const AttributeDefinition = Type.Object(
  {
    name: AttributeName,
    type: Type.Enum(['string', 'integer', 'decimal', 'timestamp', 'boolean', 'category']),
    unit: Type.Optional(Type.String({ maxLength: 32 })),
    sensitivity: Type.Union([Type.Literal('public'), Type.Literal('personal'), Type.Literal('identifying')]),
    aggregations: Type.Array(Type.Enum(['count', 'sum', 'mean', 'quantile', 'histogram', 'group_by', 'filter']), {
      uniqueItems: true,
    }),
  },
  { additionalProperties: false },
);
export type AttributeDefinition = Static<typeof AttributeDefinition>;

export const SemanticDomain = Type.Object(
  {
    schema_version: SchemaVersion,
    domain: DomainName,
    semantic_version: SemanticVersion,
    attributes: Type.Array(AttributeDefinition, { minItems: 1, maxItems: 512 }),
  },
  { additionalProperties: false },
);
export type SemanticDomain = Static<typeof SemanticDomain>;
