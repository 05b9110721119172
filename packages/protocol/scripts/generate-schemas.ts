/**
 * Writes every protocol schema as a JSON Schema (draft 2020-12) file under packages/protocol/schemas,
 * plus an index. CI regenerates them and fails if anything changed.
 */
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SCHEMA_VERSION } from '../src/objects/common.ts';
import { EVENT_SCHEMAS, OBJECT_SCHEMAS } from '../src/schema-catalog.ts';

const out = join(import.meta.dirname, '..', 'schemas');
mkdirSync(out, { recursive: true });
for (const f of readdirSync(out)) if (f.endsWith('.json')) rmSync(join(out, f));

const index: { name: string; file: string; kind: 'object' | 'event'; schema_version: number }[] = [];
const write = (name: string, schema: unknown, kind: 'object' | 'event') => {
  const file = `${name}.schema.json`;
  const doc = {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: `urn:scp:v${SCHEMA_VERSION}:${name}`,
    ...(schema as object),
  };
  writeFileSync(join(out, file), `${JSON.stringify(doc, null, 2)}\n`);
  index.push({ name, file, kind, schema_version: SCHEMA_VERSION });
};
for (const [name, schema] of Object.entries(OBJECT_SCHEMAS)) write(name, schema, 'object');
for (const [name, schema] of Object.entries(EVENT_SCHEMAS)) write(name, schema, 'event');
writeFileSync(
  join(out, 'index.json'),
  `${JSON.stringify({ schema_version: SCHEMA_VERSION, schemas: index }, null, 2)}\n`,
);
console.log(`wrote ${index.length} schemas to ${out}`);
