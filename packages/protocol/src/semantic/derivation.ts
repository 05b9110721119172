/**
 * Derivation rules: how a Vault computes a canonical attribute from its local fields. A rule is a
 * small expression, parsed and evaluated deterministically (exact decimals, no floats):
 *
 *   rule  := path | fn '(' rule (',' rule)* ')'
 *   path  := name ('.' name)*          a field; a segment over an array maps over its items
 *   fn    := sum | count | min | max | first | coalesce | lower | upper
 *
 * `sum(items.price)` adds the `price` of every item; a bare path must end on one value (a path
 * that crosses an array yields null). Values that cannot be read give null, never an error.
 */

export type Derivation =
  | { kind: 'path'; path: string[] }
  | { kind: 'call'; fn: DerivationFunction; args: Derivation[] };

export const DERIVATION_FUNCTIONS = ['sum', 'count', 'min', 'max', 'first', 'coalesce', 'lower', 'upper'] as const;
export type DerivationFunction = (typeof DERIVATION_FUNCTIONS)[number];

const ARITY: Record<DerivationFunction, [number, number]> = {
  sum: [1, 1],
  count: [1, 1],
  min: [1, 1],
  max: [1, 1],
  first: [1, 1],
  coalesce: [1, 8],
  lower: [1, 1],
  upper: [1, 1],
};

export type ParseResult = { ok: true; rule: Derivation } | { ok: false; error: string };

const NAME = /^[a-z_][a-z0-9_]{0,63}/;
const MAX_DEPTH = 8;

/** Parses a derivation rule; the error names the position, never evaluates anything. */
export function parseDerivation(text: string): ParseResult {
  let i = 0;
  const ws = () => {
    while (text[i] === ' ') i++;
  };
  const fail = (what: string): never => {
    throw new SyntaxError(`${what} at ${i}`);
  };
  const expr = (depth: number): Derivation => {
    if (depth > MAX_DEPTH) fail('rule nested too deeply');
    ws();
    const m = NAME.exec(text.slice(i));
    if (!m) return fail('expected a field or function name');
    i += m[0].length;
    ws();
    if (text[i] === '(') {
      const fn = m[0] as DerivationFunction;
      if (!(DERIVATION_FUNCTIONS as readonly string[]).includes(fn)) fail(`unknown function ${m[0]}`);
      i++;
      const args: Derivation[] = [expr(depth + 1)];
      ws();
      while (text[i] === ',') {
        i++;
        args.push(expr(depth + 1));
        ws();
      }
      if (text[i] !== ')') fail('expected )');
      i++;
      const [lo, hi] = ARITY[fn];
      if (args.length < lo || args.length > hi) fail(`${fn} takes ${lo === hi ? lo : `${lo} to ${hi}`} argument(s)`);
      if (['sum', 'count', 'min', 'max', 'first'].includes(fn) && args[0]!.kind !== 'path')
        fail(`${fn} takes a field path`);
      return { kind: 'call', fn, args };
    }
    const path = [m[0]];
    while (text[i] === '.') {
      i++;
      const n = NAME.exec(text.slice(i));
      if (!n) fail('expected a field name after .');
      path.push(n![0]);
      i += n![0].length;
    }
    return { kind: 'path', path };
  };
  try {
    if (text.length > 256) return { ok: false, error: 'rule longer than 256 characters' };
    const rule = expr(0);
    ws();
    if (i !== text.length) fail('unexpected text');
    return { ok: true, rule };
  } catch (error) {
    return { ok: false, error: (error as Error).message };
  }
}

type Value = string | number | boolean | null;
const SCALE = 6;
const FACTOR = 10n ** BigInt(SCALE);
const DECIMAL = /^(-?)(0|[1-9][0-9]{0,17})(?:\.([0-9]{1,6}))?$/;

function toScaled(v: unknown): bigint | undefined {
  if (typeof v === 'number' && Number.isSafeInteger(v)) return BigInt(v) * FACTOR;
  if (typeof v !== 'string') return undefined;
  const m = DECIMAL.exec(v);
  if (!m) return undefined;
  const whole = BigInt(m[2]!) * FACTOR + BigInt((m[3] ?? '').padEnd(SCALE, '0'));
  return m[1] === '-' ? -whole : whole;
}

function formatScaled(x: bigint): string {
  const negative = x < 0n;
  const abs = negative ? -x : x;
  const fraction = (abs % FACTOR).toString().padStart(SCALE, '0').replace(/0+$/, '');
  return `${negative ? '-' : ''}${abs / FACTOR}${fraction ? `.${fraction}` : ''}`;
}

const isScalar = (v: unknown): v is Value =>
  v === null || typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && Number.isSafeInteger(v));

/** Values a path reaches, and whether it crossed an array. */
function walk(fields: unknown, path: readonly string[]): { values: unknown[]; many: boolean } {
  let current: unknown[] = [fields];
  let many = false;
  for (const segment of path) {
    const next: unknown[] = [];
    for (const v of current) {
      if (Array.isArray(v)) many = true;
      const items = Array.isArray(v) ? v : [v];
      for (const item of items) {
        if (typeof item === 'object' && item !== null && !Array.isArray(item) && Object.hasOwn(item, segment))
          next.push((item as Record<string, unknown>)[segment]);
      }
    }
    current = next;
  }
  if (current.some((v) => Array.isArray(v))) many = true;
  const flat = current.flatMap((v) => (Array.isArray(v) ? v : [v]));
  return { values: flat, many };
}

/** Evaluates a parsed rule over one record's local fields. */
export function evaluateDerivation(rule: Derivation, fields: unknown): Value {
  if (rule.kind === 'path') {
    if (rule.path.length === 1) {
      // The common case (a field of the record, e.g. the identity mapping): no walk.
      const record = typeof fields === 'object' && fields !== null ? (fields as Record<string, unknown>) : {};
      const v = Object.hasOwn(record, rule.path[0]!) ? record[rule.path[0]!] : null;
      return isScalar(v) ? v : null;
    }
    const { values, many } = walk(fields, rule.path);
    if (many || values.length !== 1) return null;
    return isScalar(values[0]) ? values[0] : null;
  }
  if (rule.fn === 'coalesce') {
    for (const a of rule.args) {
      const v = evaluateDerivation(a, fields);
      if (v !== null) return v;
    }
    return null;
  }
  if (rule.fn === 'lower' || rule.fn === 'upper') {
    const v = evaluateDerivation(rule.args[0]!, fields);
    if (typeof v !== 'string') return null;
    return rule.fn === 'lower' ? v.toLowerCase() : v.toUpperCase();
  }
  const arg = rule.args[0]!;
  const values = arg.kind === 'path' ? walk(fields, arg.path).values.filter((v) => v !== null && v !== undefined) : [];
  switch (rule.fn) {
    case 'count':
      return values.length;
    case 'first':
      return values.length > 0 && isScalar(values[0]) ? values[0] : null;
    default: {
      const nums = values.map(toScaled);
      if (nums.length === 0 || nums.some((n) => n === undefined)) return null;
      const xs = nums as bigint[];
      if (rule.fn === 'sum') return formatScaled(xs.reduce((s, x) => s + x, 0n));
      const smaller = (a: bigint, b: bigint) => (b < a ? b : a);
      const larger = (a: bigint, b: bigint) => (b > a ? b : a);
      const pick = xs.reduce(rule.fn === 'min' ? smaller : larger);
      return formatScaled(pick);
    }
  }
}

/** Local field names a rule reads (first path segment), for audit. */
export function derivationInputs(rule: Derivation): string[] {
  if (rule.kind === 'path') return [rule.path[0]!];
  return [...new Set(rule.args.flatMap(derivationInputs))].sort();
}
