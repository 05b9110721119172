/** Schema-qualified table names: each node keeps its tables in its own PostgreSQL schema. */
const IDENT = /^[a-z_][a-z0-9_]{0,62}$/;

/** `schema.table`, refusing anything but plain lowercase identifiers (they are spliced into SQL). */
export function qualified(schema: string, table: string): string {
  if (!IDENT.test(schema) || !IDENT.test(table)) throw new Error(`invalid SQL identifier ${schema}.${table}`);
  return `${schema}.${table}`;
}

/** A node id as a schema name: `node_ent-a` -> `node_ent_a`. */
export function schemaOf(nodeId: string): string {
  return nodeId.replaceAll('-', '_');
}
