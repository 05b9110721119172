/**
 * `deepFreeze` lets canonical encoding and domain hashing remember what they computed for a value
 * that can no longer change: the text and hashes must be exactly those of an unfrozen copy, every
 * time, and values outside the canonical domain must still be refused every time.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  canonicalString,
  checkEvent,
  decisionHash,
  deepFreeze,
  domainHash,
  EncodingError,
  emptyState,
  isDeeplyFrozen,
  receiptHash,
  sealEntry,
  verifyChain,
} from '../src/index.ts';

/** Floats, unsafe integers and -0 are outside the domain: map them to safe integers. */
function toDomain(value: unknown): unknown {
  if (typeof value === 'number') {
    const n = Math.trunc(value);
    return Number.isSafeInteger(n) ? n + 0 : 0;
  }
  if (Array.isArray(value)) return value.map(toDomain);
  if (value && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toDomain(v)]));
  return value;
}

const refused = (e: unknown) => e instanceof EncodingError && e.code === 'non_canonical_value';

describe('deeply frozen values are encoded once, with the same text and hashes', () => {
  it('gives the text and hash of an unfrozen copy, on first use and from memory', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 5 }).map(toDomain), (v) => {
        const frozen = deepFreeze(structuredClone(v));
        const text = canonicalString(v);
        const hash = domainHash('scp/v1/test-value', v);
        for (let round = 0; round < 2; round++) {
          assert.equal(canonicalString(frozen), text);
          assert.equal(canonicalString({ wrapped: [frozen, frozen] }), `{"wrapped":[${text},${text}]}`);
          assert.equal(domainHash('scp/v1/test-value', frozen), hash);
          assert.notEqual(domainHash('scp/v1/other-value', frozen), hash);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('makes the value immutable all the way down', () => {
    const value = deepFreeze({ a: { b: [1, { c: 'x' }] } });
    assert.ok(isDeeplyFrozen(value) && isDeeplyFrozen(value.a) && isDeeplyFrozen(value.a.b));
    assert.throws(() => {
      (value.a.b[1] as { c: string }).c = 'y';
    }, TypeError);
    assert.equal(canonicalString(value), '{"a":{"b":[1,{"c":"x"}]}}');
  });

  it('never remembers what is not plain data, and keeps refusing it', () => {
    const withDate = deepFreeze({ at: new Date(0), n: 1 });
    const withFloat = deepFreeze({ x: 1.5 });
    assert.equal(isDeeplyFrozen(withDate), false);
    for (let round = 0; round < 2; round++) {
      assert.throws(() => canonicalString(withDate), refused);
      assert.throws(() => canonicalString(withFloat), refused);
    }
  });

  it('ends on a cycle and still refuses it', () => {
    const a: Record<string, unknown> = { n: 1 };
    a.self = { back: a };
    deepFreeze(a);
    assert.equal(isDeeplyFrozen(a), false);
    assert.throws(() => canonicalString(a), refused);
  });
});

describe('signed objects', () => {
  it('hash the same without their signature whether frozen or not', () => {
    const receipt = { schema_version: 1, task_id: 'tsk_1', output_hash: 'a'.repeat(64), signature: 'b'.repeat(128) };
    const decision = { schema_version: 1, task_id: 'tsk_1', outcome: 'accepted', signature: 'c'.repeat(128) };
    const r = receiptHash(receipt as never);
    const d = decisionHash(decision as never);
    const frozenReceipt = deepFreeze(structuredClone(receipt));
    const frozenDecision = deepFreeze(structuredClone(decision));
    for (let round = 0; round < 2; round++) {
      assert.equal(receiptHash(frozenReceipt as never), r);
      assert.equal(decisionHash(frozenDecision as never), d);
    }
    const { signature: _, ...unsigned } = receipt;
    assert.equal(receiptHash(unsigned as never), r);
  });
});

describe('event schema checks of frozen events', () => {
  it('refuse a malformed frozen event every time, and keep checking a well-formed one past its schema', () => {
    const at = { seq: 0, time_ms: 0, epoch_id: 1 };
    const malformed = deepFreeze({ type: 'task_resolution_started', task_id: 5 });
    const wellFormed = deepFreeze({ type: 'task_resolution_started', task_id: 'tsk_0123456789abcdef0123456789abcdef' });
    for (let round = 0; round < 2; round++) {
      assert.equal(checkEvent(emptyState(), malformed, at)?.code, 'malformed_event');
      assert.equal(checkEvent(emptyState(), wellFormed, at)?.code, 'no_genesis');
    }
  });
});

describe('hash-chain checks of frozen entries', () => {
  it('accept a frozen sealed entry and refuse a frozen tampered one, every time', () => {
    const event = { type: 'task_resolution_started', task_id: 'tsk_0123456789abcdef0123456789abcdef' };
    const sealed = sealEntry(undefined, { time_ms: 1, epoch_id: 1, origin: 'node_master_1', event });
    const good = deepFreeze(structuredClone(sealed));
    const tampered = deepFreeze({ ...structuredClone(sealed), time_ms: 2 });
    for (let round = 0; round < 2; round++) {
      assert.equal(verifyChain([good]).ok, true);
      const refused = verifyChain([tampered]);
      assert.equal(!refused.ok && refused.reason, 'bad_hash');
    }
  });
});
