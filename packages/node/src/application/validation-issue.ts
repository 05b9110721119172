/**
 * Finds the one most useful reason a value fails a JSON Schema: the JSON Pointer of the offending
 * field and why. Generic validators report every failing branch of a union, which names fields the
 * client never meant; this follows discriminators (`kind`, `type`) and JSON types into the branch
 * the client chose. Unknown fields anywhere in the value win over every other issue.
 *
 * Reasons never quote the offending value: request bodies can carry record contents.
 */
import type { TSchema } from 'typebox';
import Compile, { type Validator } from 'typebox/compile';
import type { SchemaNode } from './strict-schema.ts';

/** Why a value was rejected, in the vocabulary of the error catalog. */
export type ValidationIssue = {
  code: 'invalid_request' | 'unknown_field';
  /** JSON Pointer (RFC 6901) of the offending field; `''` is the whole value. */
  field: string;
  reason: string;
};

/** Path segments longer than this are cut in reported pointers (a key is client-chosen text). */
const MAX_SEGMENT_CHARS = 64;

const validators = new WeakMap<SchemaNode, Validator>();

/** Whether `value` satisfies `schema`; compiled validators are cached per schema node. */
export function satisfies(schema: SchemaNode, value: unknown): boolean {
  return validatorFor(schema).Check(value);
}

/** The compiled validator of a schema node (compiled once, then cached). */
export function validatorFor(schema: SchemaNode): Validator {
  let validator = validators.get(schema);
  if (validator === undefined) {
    validator = Compile(schema as TSchema);
    validators.set(schema, validator);
  }
  return validator;
}

/** The issue that makes `value` fail `schema`, or `undefined` when it satisfies it. */
export function findValidationIssue(schema: SchemaNode, value: unknown): ValidationIssue | undefined {
  if (satisfies(schema, value)) return undefined;
  return (
    locate(schema, value, [], 'unknown') ??
    locate(schema, value, [], 'any') ?? { code: 'invalid_request', field: '', reason: 'does not match the schema' }
  );
}

/** `unknown` looks only for fields the schema does not define; `any` for every kind of issue. */
type Mode = 'unknown' | 'any';

function locate(schema: SchemaNode, value: unknown, path: string[], mode: Mode): ValidationIssue | undefined {
  if (satisfies(schema, value)) return undefined;
  const branches = unionBranches(schema);
  if (branches !== undefined) return locateInUnion(branches, value, path, mode);
  if (schemaTypes(schema).includes('object')) return locateInObject(schema, value, path, mode);
  if (schemaTypes(schema).includes('array')) return locateInArray(schema, value, path, mode);
  return mode === 'any' ? leafIssue(schema, value, path) : undefined;
}

function locateInObject(schema: SchemaNode, value: unknown, path: string[], mode: Mode): ValidationIssue | undefined {
  if (!isPlainObject(value)) return mode === 'any' ? invalid(path, 'must be an object') : undefined;
  const properties = nodeMap(schema.properties);
  const patterns = Object.entries(nodeMap(schema.patternProperties)).map(
    ([pattern, sub]) => [new RegExp(pattern, 'u'), sub] as const,
  );
  const keys = Object.keys(value);
  const defined = (key: string) => Object.hasOwn(properties, key) || patterns.some(([re]) => re.test(key));

  if (schema.additionalProperties === false) {
    const unknown = keys.find((key) => !defined(key));
    if (unknown !== undefined) {
      const names = patterns.map(([re]) => re.source);
      return {
        code: 'unknown_field',
        field: pointer([...path, unknown]),
        reason: names.length > 0 ? `is not a defined field; names must match ${names.join(' or ')}` : 'is not defined',
      };
    }
  }
  if (mode === 'any') {
    const required = Array.isArray(schema.required) ? schema.required.filter((k) => typeof k === 'string') : [];
    const missing = required.find((key) => !Object.hasOwn(value, key));
    if (missing !== undefined) return invalid([...path, missing], 'is required');
  }
  for (const [key, sub] of Object.entries(properties)) {
    if (!Object.hasOwn(value, key)) continue;
    const issue = locate(sub, own(value, key), [...path, key], mode);
    if (issue) return issue;
  }
  for (const key of keys) {
    if (Object.hasOwn(properties, key)) continue;
    for (const [re, sub] of patterns) {
      if (!re.test(key)) continue;
      const issue = locate(sub, own(value, key), [...path, key], mode);
      if (issue) return issue;
    }
  }
  if (mode === 'unknown') return undefined;
  if (typeof schema.maxProperties === 'number' && keys.length > schema.maxProperties) {
    return invalid(path, `must have at most ${schema.maxProperties} fields`);
  }
  if (typeof schema.minProperties === 'number' && keys.length < schema.minProperties) {
    return invalid(path, `must have at least ${schema.minProperties} fields`);
  }
  return leafIssue(schema, value, path);
}

function locateInArray(schema: SchemaNode, value: unknown, path: string[], mode: Mode): ValidationIssue | undefined {
  if (!Array.isArray(value)) return mode === 'any' ? invalid(path, 'must be an array') : undefined;
  if (mode === 'any') {
    if (typeof schema.maxItems === 'number' && value.length > schema.maxItems) {
      return invalid(path, `must have at most ${schema.maxItems} items`);
    }
    if (typeof schema.minItems === 'number' && value.length < schema.minItems) {
      return invalid(path, `must have at least ${schema.minItems} items`);
    }
  }
  const items = schema.items;
  if (isNode(items)) {
    for (const [index, item] of value.entries()) {
      const issue = locate(items, item, [...path, String(index)], mode);
      if (issue) return issue;
    }
  }
  return mode === 'any' ? leafIssue(schema, value, path) : undefined;
}

function locateInUnion(
  branches: readonly SchemaNode[],
  value: unknown,
  path: string[],
  mode: Mode,
): ValidationIssue | undefined {
  const tagged = discriminator(branches);
  if (tagged !== undefined && isPlainObject(value)) {
    const { key, tags } = tagged;
    const allowed = `one of: ${tags.map(String).join(', ')}`;
    if (!Object.hasOwn(value, key))
      return mode === 'any' ? invalid([...path, key], `is required (${allowed})`) : undefined;
    const index = tags.indexOf(own(value, key) as string | number);
    const branch = branches[index];
    if (branch === undefined) return mode === 'any' ? invalid([...path, key], `must be ${allowed}`) : undefined;
    return locate(branch, value, path, mode);
  }

  const candidates = branches.filter((branch) => acceptsJsonType(branch, jsonType(value)));
  const [only] = candidates;
  if (only === undefined) return mode === 'any' ? invalid(path, `must be ${describeTypes(branches)}`) : undefined;
  if (candidates.length === 1) return locate(only, value, path, mode);
  if (mode === 'unknown') return undefined;

  const constants = candidates.flatMap(constantsOf);
  if (constants.length > 0 && candidates.every((branch) => constantsOf(branch).length > 0)) {
    return invalid(path, `must be one of: ${constants.map(String).join(', ')}`);
  }
  // Several shapes fit the JSON type: report the issue of the branch the value got furthest into.
  let best: ValidationIssue | undefined;
  for (const branch of candidates) {
    const issue = locate(branch, value, path, 'any');
    if (issue && (best === undefined || depth(issue.field) > depth(best.field))) best = issue;
  }
  return best ?? invalid(path, `must match one of ${candidates.length} allowed shapes`);
}

function leafIssue(schema: SchemaNode, value: unknown, path: string[]): ValidationIssue {
  const [error] = validatorFor(schema).Errors(value);
  if (error === undefined) return invalid(path, 'does not match the schema');
  const params = error.params as Record<string, unknown>;
  let reason = error.message;
  if (error.keyword === 'enum' && Array.isArray(params.allowedValues)) {
    reason = `must be one of: ${params.allowedValues.map(String).join(', ')}`;
  } else if (error.keyword === 'const') {
    reason = `must be ${JSON.stringify(params.allowedValue)}`;
  }
  return { code: 'invalid_request', field: pointer(path) + error.instancePath, reason };
}

/** The branches of an `anyOf`, nested unions flattened; `undefined` when `schema` is no union. */
function unionBranches(schema: SchemaNode): SchemaNode[] | undefined {
  if (!Array.isArray(schema.anyOf)) return undefined;
  return schema.anyOf.filter(isNode).flatMap((branch) => unionBranches(branch) ?? [branch]);
}

/** A property every branch pins to a distinct constant (`kind`, `type`), and those constants. */
function discriminator(branches: readonly SchemaNode[]): { key: string; tags: (string | number)[] } | undefined {
  const [first] = branches;
  if (first === undefined) return undefined;
  for (const key of Object.keys(nodeMap(first.properties))) {
    const tags = branches.map((branch) => nodeMap(branch.properties)[key]?.const);
    if (!tags.every((tag) => typeof tag === 'string' || typeof tag === 'number')) continue;
    if (new Set(tags).size !== tags.length) continue;
    const required = branches.every((b) => Array.isArray(b.required) && b.required.includes(key));
    if (required) return { key, tags: tags as (string | number)[] };
  }
  return undefined;
}

type JsonType = 'null' | 'boolean' | 'integer' | 'number' | 'string' | 'array' | 'object';

function jsonType(value: unknown): JsonType {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  if (typeof value === 'string' || typeof value === 'boolean') return typeof value as JsonType;
  return 'object';
}

/** The JSON types a schema node admits; empty when it does not say. */
function schemaTypes(schema: SchemaNode): JsonType[] {
  if (typeof schema.type === 'string') return [schema.type as JsonType];
  if (Array.isArray(schema.type)) return schema.type as JsonType[];
  const constants = constantsOf(schema);
  if (constants.length > 0) return [...new Set(constants.map(jsonType))];
  if (isNode(schema.properties) || isNode(schema.patternProperties)) return ['object'];
  if (isNode(schema.items)) return ['array'];
  return [];
}

function acceptsJsonType(schema: SchemaNode, type: JsonType): boolean {
  const types = schemaTypes(schema);
  if (types.length === 0) return true;
  if (type === 'integer' || type === 'number') return types.includes('integer') || types.includes('number');
  return types.includes(type);
}

function describeTypes(branches: readonly SchemaNode[]): string {
  const names = [...new Set(branches.flatMap(schemaTypes))];
  if (names.length === 0) return 'one of the allowed shapes';
  if (names.length === 1) return names[0] === 'object' || names[0] === 'array' ? `an ${names[0]}` : `a ${names[0]}`;
  return `${names.slice(0, -1).join(', ')} or ${names.at(-1)}`;
}

function constantsOf(schema: SchemaNode): unknown[] {
  if (Object.hasOwn(schema, 'const')) return [schema.const];
  return Array.isArray(schema.enum) ? schema.enum : [];
}

function invalid(path: string[], reason: string): ValidationIssue {
  return { code: 'invalid_request', field: pointer(path), reason };
}

/** The JSON Pointer of a path; segments longer than 64 characters are cut (they are client-chosen text). */
export function pointer(path: readonly string[]): string {
  return path
    .map((segment) => {
      const cut = segment.length > MAX_SEGMENT_CHARS ? `${segment.slice(0, MAX_SEGMENT_CHARS)}…` : segment;
      return `/${cut.replaceAll('~', '~0').replaceAll('/', '~1')}`;
    })
    .join('');
}

function depth(field: string): number {
  return field === '' ? 0 : field.split('/').length;
}

function own(value: Record<string, unknown>, key: string): unknown {
  return Object.getOwnPropertyDescriptor(value, key)?.value;
}

function nodeMap(value: unknown): Record<string, SchemaNode> {
  if (!isNode(value)) return {};
  return Object.fromEntries(Object.entries(value).filter((entry): entry is [string, SchemaNode] => isNode(entry[1])));
}

function isNode(value: unknown): value is SchemaNode {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
