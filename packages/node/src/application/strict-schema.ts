/**
 * Closes the one gap typebox leaves in a strict schema: `Type.Record` with a key pattern emits
 * `patternProperties` without `additionalProperties`, so a key that does not match the pattern
 * would be accepted with any value. The HTTP edge treats such a key as an unknown field.
 */

/** A JSON Schema node as plain data (typebox's non-enumerable markers are not copied). */
export type SchemaNode = { readonly [keyword: string]: unknown };

/** Keywords whose value is a map of name -> subschema. */
const SCHEMA_MAPS = new Set(['properties', 'patternProperties', '$defs', 'definitions', 'dependentSchemas']);
/** Keywords whose value is a subschema or a list of subschemas. */
const SCHEMA_SLOTS = new Set([
  'items',
  'prefixItems',
  'additionalProperties',
  'anyOf',
  'allOf',
  'oneOf',
  'not',
  'if',
  'then',
  'else',
  'contains',
  'propertyNames',
]);

/**
 * A deep copy of `schema` in which every object with `patternProperties` and no
 * `additionalProperties` gets `additionalProperties: false`. Everything else is unchanged.
 */
export function strictSchema(schema: unknown): SchemaNode {
  const copy = copyNode(schema);
  return isNode(copy) ? copy : {};
}

function copyNode(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(copyNode);
  if (!isNode(node)) return node;
  const out: Record<string, unknown> = {};
  for (const [keyword, value] of Object.entries(node)) {
    if (SCHEMA_MAPS.has(keyword) && isNode(value)) {
      out[keyword] = Object.fromEntries(Object.entries(value).map(([name, sub]) => [name, copyNode(sub)]));
    } else if (SCHEMA_SLOTS.has(keyword)) {
      out[keyword] = copyNode(value);
    } else {
      out[keyword] = structuredClone(value);
    }
  }
  if (out.patternProperties !== undefined && out.additionalProperties === undefined) {
    out.additionalProperties = false;
  }
  return out;
}

function isNode(value: unknown): value is SchemaNode {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
