/**
 * Readable validation errors for a typebox schema: one line per problem, naming the field (a JSON
 * pointer such as `/spec/program/operator`) and the reason. Tagged unions (objects told apart by a
 * constant property such as `kind` or `type`) are narrowed to the variant the value names, so the
 * errors talk about that variant only instead of every alternative.
 */
import type { TSchema } from 'typebox';
import { Compile } from 'typebox/compile';

/** One problem: where it is and what is wrong. */
export type FieldError = { field: string; reason: string };

type Schema = Record<string, unknown>;

const validators = new WeakMap<object, ReturnType<typeof Compile>>();

function validator(schema: Schema): ReturnType<typeof Compile> {
  let compiled = validators.get(schema);
  if (!compiled) {
    compiled = Compile(schema as TSchema);
    validators.set(schema, compiled);
  }
  return compiled;
}

/** Every problem of `value` against `schema`; an empty list when the value is valid. */
export function explainErrors(schema: TSchema, value: unknown): FieldError[] {
  return explain(schema as unknown as Schema, value, '');
}

function explain(schema: Schema, value: unknown, path: string): FieldError[] {
  if (validator(schema).Check(value)) return [];
  if (Array.isArray(schema.anyOf)) return explainUnion(schema.anyOf as Schema[], value, path);
  if (schema.type === 'object' && isPlainObject(value)) {
    const found = explainObject(schema, value, path);
    if (found.length > 0) return found;
  }
  if (schema.type === 'array' && Array.isArray(value) && isSchema(schema.items)) {
    const items = schema.items;
    const found = (value as unknown[]).flatMap((item, index) => explain(items, item, `${path}/${index}`));
    if (found.length > 0) return found;
  }
  return leafErrors(schema, value, path);
}

function explainObject(schema: Schema, value: Record<string, unknown>, path: string): FieldError[] {
  const properties = isSchema(schema.properties) ? (schema.properties as Record<string, Schema>) : {};
  const required = Array.isArray(schema.required) ? (schema.required as string[]) : [];
  const found: FieldError[] = [];
  for (const name of required) {
    if (!(name in value))
      found.push({ field: `${path}/${name}`, reason: `is required${describeExpected(properties[name])}` });
  }
  for (const [name, item] of Object.entries(value)) {
    const property = properties[name];
    if (property) found.push(...explain(property, item, `${path}/${name}`));
    else if (schema.additionalProperties === false) {
      const known = Object.keys(properties);
      found.push({
        field: `${path}/${name}`,
        reason: `is not a known field${known.length > 0 ? ` (known: ${known.join(', ')})` : ''}`,
      });
    }
  }
  return found;
}

function explainUnion(variants: Schema[], value: unknown, path: string): FieldError[] {
  const tag = isPlainObject(value) ? discriminator(variants) : undefined;
  if (tag && isPlainObject(value)) {
    const tags = variants.map((v) => (v.properties as Record<string, Schema>)[tag]?.const);
    const chosen = variants[tags.indexOf(value[tag])];
    if (chosen) return explain(chosen, value, path);
    return [
      {
        field: `${path}/${tag}`,
        reason:
          tag in value
            ? `must be one of ${tags.map((t) => JSON.stringify(t)).join(', ')} (got ${JSON.stringify(value[tag])})`
            : `is required (one of ${tags.map((t) => JSON.stringify(t)).join(', ')})`,
      },
    ];
  }
  // An untagged union: if exactly one variant has the value's JSON type, explain against it.
  const sameType = variants.filter((v) => typeMatches(v, value));
  if (sameType.length === 1 && sameType[0]) return explain(sameType[0], value, path);
  return [{ field: path || '/', reason: `must be ${variants.map(describe).join(' or ')}` }];
}

/** A property that every variant is an object with a distinct constant for. */
function discriminator(variants: Schema[]): string | undefined {
  const first = variants[0];
  if (!first || !isSchema(first.properties)) return undefined;
  for (const name of Object.keys(first.properties)) {
    const consts = variants.map((v) =>
      isSchema(v.properties) ? (v.properties as Record<string, Schema>)[name]?.const : undefined,
    );
    if (consts.every((c) => c !== undefined) && new Set(consts).size === consts.length) return name;
  }
  return undefined;
}

function leafErrors(schema: Schema, value: unknown, path: string): FieldError[] {
  const errors = validator(schema)
    .Errors(value)
    .filter((error) => error.keyword !== 'boolean');
  const out: FieldError[] = errors.map((error) => ({
    field: path + error.instancePath || '/',
    reason: reasonOf(error.keyword, error.params as Record<string, unknown>, error.message, schema, error.instancePath),
  }));
  const unique = new Map(out.map((e) => [`${e.field}\u0000${e.reason}`, e]));
  return unique.size > 0 ? [...unique.values()] : [{ field: path || '/', reason: 'is invalid' }];
}

function reasonOf(
  keyword: string,
  params: Record<string, unknown>,
  message: string,
  schema: Schema,
  instancePath: string,
): string {
  const at = instancePath === '' ? schema : undefined;
  switch (keyword) {
    case 'enum':
      return `must be one of ${(Array.isArray(at?.enum)
        ? (at.enum as unknown[])
        : ((params.allowedValues as unknown[]) ?? [])
      )
        .map((v) => JSON.stringify(v))
        .join(', ')}`;
    case 'const':
      return `must be ${JSON.stringify(at?.const ?? params.allowedValue)}`;
    case 'pattern':
      return `must match ${String(params.pattern)}${typeof at?.description === 'string' ? ` (${at.description.replace(/\.$/, '')})` : ''}`;
    case 'type':
      return `must be ${describe(at ?? { type: params.type })}`;
    default:
      return message;
  }
}

function describeExpected(schema: Schema | undefined): string {
  return schema ? ` (${describe(schema)})` : '';
}

function describe(schema: Schema): string {
  if (schema.const !== undefined) return JSON.stringify(schema.const);
  if (Array.isArray(schema.enum))
    return `one of ${(schema.enum as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
  if (Array.isArray(schema.anyOf)) return (schema.anyOf as Schema[]).map(describe).join(' or ');
  const type = Array.isArray(schema.type) ? schema.type.join(' or ') : String(schema.type ?? 'a value');
  const article = /^[aeiou]/.test(type) ? 'an' : 'a';
  return schema.type === 'null' ? 'null' : `${article} ${type}`;
}

function typeMatches(schema: Schema, value: unknown): boolean {
  const type = schema.type;
  if (schema.const !== undefined) return typeof schema.const === typeof value;
  switch (type) {
    case 'object':
      return isPlainObject(value);
    case 'array':
      return Array.isArray(value);
    case 'string':
      return typeof value === 'string';
    case 'integer':
    case 'number':
      return typeof value === 'number';
    case 'boolean':
      return typeof value === 'boolean';
    case 'null':
      return value === null;
    default:
      return false;
  }
}

function isSchema(value: unknown): value is Schema {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
