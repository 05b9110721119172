import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import { EncodingError } from '../src/encoding/canonical.ts';
import { domainHash } from '../src/hashing/domain-hash.ts';
import {
  type ChainVerification,
  entryHash,
  GENESIS_PREV_HASH,
  type LogEntry,
  type LogEntryBody,
  sealEntry,
  verifyChain,
} from '../src/log/hash-chain.ts';

const canonicalJson = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.constant(null),
    fc.boolean(),
    fc.maxSafeInteger(),
    fc.string({ unit: 'binary' }),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(fc.string(), tie('value'), { maxKeys: 4 }),
  ),
})).value;

type Event = { type: string; task_id: string; amount: string; tags: string[] };

function sealAll<E>(inputs: readonly { time_ms: number; epoch_id: number; origin: string; event: E }[]): LogEntry<E>[] {
  const out: LogEntry<E>[] = [];
  for (const input of inputs) out.push(sealEntry(out.at(-1), input));
  return out;
}

function sampleChain(n: number): LogEntry<Event>[] {
  return sealAll(
    Array.from({ length: n }, (_, i) => ({
      time_ms: 1_700_000_000_000 + i * 250,
      epoch_id: Math.floor(i / 4),
      origin: `master-${(i % 3) + 1}`,
      event: { type: 'task_admitted', task_id: `t-${i}`, amount: String(1000 + i), tags: ['a', `n${i}`] },
    })),
  );
}

/** Changes one hex digit to another hex digit. */
function alterHex(hex: string, at = 0): string {
  const c = hex[at]!;
  return hex.slice(0, at) + (c === '0' ? '1' : '0') + hex.slice(at + 1);
}

const clone = <T>(x: T): T => structuredClone(x);

function assertFailsAt(result: ChainVerification, seq: number, reason?: string): void {
  assert.equal(result.ok, false, 'tampering was not detected');
  if (result.ok) return;
  assert.equal(result.seq, seq);
  if (reason !== undefined) assert.equal(result.reason, reason);
}

describe('sealing and verifying a hash chain', () => {
  it('seals a sequence that verifies, from genesis', () => {
    const chain = sampleChain(12);
    assert.equal(chain[0]!.seq, 0);
    assert.equal(chain[0]!.prev_hash, GENESIS_PREV_HASH);
    assert.equal(GENESIS_PREV_HASH, '0'.repeat(64));
    for (let i = 1; i < chain.length; i++) {
      assert.equal(chain[i]!.seq, i);
      assert.equal(chain[i]!.prev_hash, chain[i - 1]!.hash);
    }
    assert.deepEqual(verifyChain(chain), { ok: true, head: { seq: 11, hash: chain[11]!.hash } });
    assert.deepEqual(verifyChain([]), { ok: true, head: undefined });
  });

  it('pins the entry hash format: domainHash("scp/v1/log-entry", body without hash)', () => {
    const entry = sealEntry(undefined, {
      time_ms: 1_700_000_000_000,
      epoch_id: 0,
      origin: 'master-1',
      event: { type: 'noop' },
    });
    // SHA-256("scp/v1/log-entry" || 0x00 || {"epoch_id":0,"event":{"type":"noop"},"origin":"master-1","prev_hash":"00..00","schema_version":1,"seq":0,"time_ms":1700000000000})
    assert.equal(entry.hash, '1df97928391a7cf3f45726468bd9fa9dd28ed8e4578a9538f1395d5c35d37388');
    const { hash, ...body } = entry;
    assert.equal(domainHash('scp/v1/log-entry', body), hash);
    assert.equal(entryHash(entry), hash, 'entryHash hashes only the body fields');
  });

  it('verifies a continuation from a trusted head', () => {
    const chain = sampleChain(10);
    const [prefix, rest] = [chain.slice(0, 4), chain.slice(4)];
    const head = verifyChain(prefix);
    assert.ok(head.ok && head.head);
    assert.deepEqual(verifyChain(rest, head.head), { ok: true, head: { seq: 9, hash: chain[9]!.hash } });
    assert.deepEqual(verifyChain([], head.head), { ok: true, head: head.head });
    assertFailsAt(verifyChain(rest), 0, 'bad_seq');
    assertFailsAt(verifyChain(rest, { seq: 3, hash: alterHex(chain[3]!.hash) }), 4, 'bad_prev_hash');
    assertFailsAt(verifyChain(rest, { seq: 2, hash: chain[3]!.hash }), 3, 'bad_seq');
    assertFailsAt(verifyChain(rest, { ...chain[3]!, time_ms: chain[4]!.time_ms + 1 }), 4, 'time_went_backwards');
  });

  it('lets time stand still but not go backwards', () => {
    const e0 = sealEntry(undefined, { time_ms: 10, epoch_id: 0, origin: 'm', event: 0 });
    const e1 = sealEntry(e0, { time_ms: 10, epoch_id: 0, origin: 'm', event: 1 });
    assert.ok(verifyChain([e0, e1]).ok);
    assert.throws(
      () => sealEntry(e1, { time_ms: 9, epoch_id: 0, origin: 'm', event: 2 }),
      (e: unknown) => e instanceof EncodingError && e.code === 'invalid_log_entry' && e.path === '/time_ms',
    );
    const body: LogEntryBody<number> = {
      schema_version: 1,
      seq: 2,
      prev_hash: e1.hash,
      time_ms: 9,
      epoch_id: 0,
      origin: 'm',
      event: 2,
    };
    const backwards: LogEntry<number> = { ...body, hash: entryHash(body) };
    assertFailsAt(verifyChain([e0, e1, backwards]), 2, 'time_went_backwards');
  });

  it('refuses to seal malformed fields or a non-canonical event', () => {
    const isCode = (code: string, path: string) => (e: unknown) =>
      e instanceof EncodingError && e.code === code && e.path === path;
    const ok = { time_ms: 1, epoch_id: 0, origin: 'm', event: {} };
    assert.throws(() => sealEntry(undefined, { ...ok, time_ms: 1.5 }), isCode('invalid_log_entry', '/time_ms'));
    assert.throws(() => sealEntry(undefined, { ...ok, time_ms: -1 }), isCode('invalid_log_entry', '/time_ms'));
    assert.throws(() => sealEntry(undefined, { ...ok, epoch_id: -1 }), isCode('invalid_log_entry', '/epoch_id'));
    assert.throws(() => sealEntry(undefined, { ...ok, origin: '' }), isCode('invalid_log_entry', '/origin'));
    assert.throws(() => sealEntry({ seq: -1, hash: GENESIS_PREV_HASH }, ok), isCode('invalid_log_entry', '/prev/seq'));
    assert.throws(() => sealEntry({ seq: 0, hash: 'xyz' }, ok), isCode('invalid_log_entry', '/prev/hash'));
    assert.throws(
      () => sealEntry(undefined, { ...ok, event: { fee: 0.5 } }),
      isCode('non_canonical_value', '/event/fee'),
    );
    assert.throws(() => sealEntry(undefined, { ...ok, event: undefined }), isCode('non_canonical_value', '/event'));
  });
});

describe('tampering is detected at the first bad entry', () => {
  const chain = sampleChain(8);
  const alterations: [string, (e: LogEntry<Event>) => void, string][] = [
    ['event content', (e) => (e.event.task_id += 'x'), 'bad_hash'],
    ['an event array element', (e) => (e.event.tags[1] = 'other'), 'bad_hash'],
    ['an added event field', (e) => Object.assign(e.event, { extra: true }), 'bad_hash'],
    ['seq', (e) => (e.seq += 1), 'bad_seq'],
    ['prev_hash', (e) => (e.prev_hash = alterHex(e.prev_hash, 63)), 'bad_prev_hash'],
    ['time_ms', (e) => (e.time_ms += 1), 'bad_hash'],
    ['epoch_id', (e) => (e.epoch_id += 1), 'bad_hash'],
    ['origin', (e) => (e.origin = `${e.origin}x`), 'bad_hash'],
    ['hash', (e) => (e.hash = alterHex(e.hash, 17)), 'bad_hash'],
    ['schema_version', (e) => ((e as { schema_version: number }).schema_version = 2), 'malformed'],
    ['an extra entry field', (e) => Object.assign(e, { note: 'x' }), 'malformed'],
    ['a missing entry field', (e) => delete (e as Partial<LogEntry<Event>>).origin, 'malformed'],
  ];
  for (const [field, alter, reason] of alterations) {
    it(`altering ${field} of any entry names that entry (${reason})`, () => {
      for (let k = 0; k < chain.length; k++) {
        const tampered = clone(chain);
        alter(tampered[k]!);
        assertFailsAt(verifyChain(tampered), k, reason);
      }
    });
  }

  it('dropping, duplicating or swapping entries names the first position that breaks', () => {
    assertFailsAt(verifyChain([...chain.slice(0, 3), ...chain.slice(4)]), 3, 'bad_seq');
    assertFailsAt(verifyChain([...chain.slice(0, 3), chain[2]!, ...chain.slice(3)]), 3, 'bad_seq');
    assertFailsAt(verifyChain([chain[0]!, chain[2]!, chain[1]!]), 1, 'bad_seq');
    assertFailsAt(verifyChain(chain.slice(1)), 0, 'bad_seq');
  });

  it('altering any byte of the serialized entry that changes its meaning is detected (property)', () => {
    fc.assert(
      fc.property(fc.nat({ max: chain.length - 1 }), fc.nat(), fc.integer({ min: 1, max: 126 }), (k, at, delta) => {
        const text = JSON.stringify(chain[k]);
        const bytes = Buffer.from(text, 'utf8');
        const i = at % bytes.length;
        bytes[i] = (bytes[i]! + delta) % 128;
        let altered: unknown;
        try {
          altered = JSON.parse(bytes.toString('utf8'));
        } catch {
          return;
        }
        fc.pre(!isDeepStrictEqual(altered, chain[k]));
        const tampered: unknown[] = [...chain];
        tampered[k] = altered;
        assertFailsAt(verifyChain(tampered as LogEntry<unknown>[]), k);
      }),
      { numRuns: 500 },
    );
  });
});

describe('garbage input', () => {
  it('never throws and reports malformed at the right seq', () => {
    const chain = sampleChain(3);
    let deep: unknown = 0;
    for (let i = 0; i < 100_000; i++) deep = [deep];
    const hostile = new Proxy(chain[1]!, {
      get() {
        throw new Error('hostile entry');
      },
      ownKeys() {
        throw new Error('hostile entry');
      },
    });
    const cases: [unknown, number][] = [
      [[null], 0],
      [[1], 0],
      [['entry'], 0],
      [[[]], 0],
      [[{}], 0],
      [[chain[0], undefined], 1],
      [[chain[0], { ...chain[1], seq: '1' }], 1],
      [[chain[0], { ...chain[1], seq: 1.5 }], 1],
      [[chain[0], { ...chain[1], seq: -1 }], 1],
      [[chain[0], { ...chain[1], time_ms: Number.NaN }], 1],
      [[chain[0], { ...chain[1], time_ms: 10n }], 1],
      [[chain[0], { ...chain[1], epoch_id: null }], 1],
      [[chain[0], { ...chain[1], origin: 7 }], 1],
      [[chain[0], { ...chain[1], origin: '' }], 1],
      [[chain[0], { ...chain[1], hash: chain[1]!.hash.toUpperCase() }], 1],
      [[chain[0], { ...chain[1], prev_hash: 'not hex' }], 1],
      [[chain[0], { ...chain[1], event: { f: 0.5 } }], 1],
      [[chain[0], { ...chain[1], event: deep }], 1],
      [[chain[0], hostile], 1],
    ];
    for (const [entries, seq] of cases) {
      assertFailsAt(verifyChain(entries as LogEntry<unknown>[]), seq, 'malformed');
    }
    const sparse: unknown[] = [chain[0]];
    sparse[2] = chain[2];
    assertFailsAt(verifyChain(sparse as LogEntry<unknown>[]), 1, 'malformed');
    for (const notAnArray of [null, undefined, 'chain', {}, 3]) {
      assertFailsAt(verifyChain(notAnArray as unknown as LogEntry<unknown>[]), 0, 'malformed');
    }
    assertFailsAt(verifyChain(chain, null as unknown as undefined), 0, 'malformed');
    assertFailsAt(verifyChain(chain, { seq: 4, hash: 'x' }), 5, 'malformed');
    assertFailsAt(verifyChain(chain, { seq: 4, hash: GENESIS_PREV_HASH, time_ms: -1 }), 5, 'malformed');
  });
});

describe('random chains (property)', () => {
  const inputs = fc.array(
    fc.record({
      dt: fc.nat({ max: 10_000 }),
      epoch_id: fc.nat({ max: 1000 }),
      origin: fc.constantFrom('master-1', 'master-2', 'master-3'),
      event: canonicalJson,
    }),
    { minLength: 1, maxLength: 25 },
  );
  const sealed = inputs.map((xs) => {
    let time = 1_700_000_000_000;
    return sealAll(
      xs.map(({ dt, ...rest }) => {
        time += dt;
        return { ...rest, time_ms: time };
      }),
    );
  });

  it('verify, and verify again from any split point', () => {
    fc.assert(
      fc.property(sealed, fc.nat(), (chain, splitSeed) => {
        const last = chain.at(-1)!;
        assert.deepEqual(verifyChain(chain), { ok: true, head: { seq: last.seq, hash: last.hash } });
        const split = splitSeed % chain.length;
        const head = chain[split]!;
        assert.deepEqual(verifyChain(chain.slice(split + 1), head), {
          ok: true,
          head: { seq: last.seq, hash: last.hash },
        });
        assert.deepEqual(verifyChain(JSON.parse(JSON.stringify(chain))), verifyChain(chain));
      }),
    );
  });

  it('name the first altered entry', () => {
    fc.assert(
      fc.property(sealed, fc.nat(), fc.nat({ max: 5 }), (chain, kSeed, which) => {
        const k = kSeed % chain.length;
        const tampered = clone(chain);
        const e = tampered[k]!;
        [
          () => (e.event = [e.event]),
          () => (e.seq += 1),
          () => (e.prev_hash = alterHex(e.prev_hash, 5)),
          () => (e.time_ms += 1),
          () => (e.epoch_id += 1),
          () => (e.hash = alterHex(e.hash, 40)),
        ][which]!();
        assertFailsAt(verifyChain(tampered), k);
      }),
    );
  });
});
