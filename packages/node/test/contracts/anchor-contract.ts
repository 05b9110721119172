/** The `Anchor` contract: every adapter anchors once per epoch, reads back, refuses other roots. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Anchor, AnchorStatement } from '../../src/ports/anchor.ts';

export type AnchorSubject = { subject: Anchor; cleanup(): Promise<void> };

const hex = (c: string) => c.repeat(64);

/** A statement for `epoch_id` whose roots are made of `c`. */
export function statementOf(network_id: string, epoch_id: number, c = 'a'): AnchorStatement {
  return {
    network_id,
    epoch_id,
    settlement_root: hex(c),
    rewards_root: hex(c === 'f' ? 'e' : 'f'),
    statement_hash: hex(c === '1' ? '2' : '1'),
  };
}

export function describeAnchorContract(
  name: string,
  network_id: string,
  open: () => Promise<AnchorSubject>,
  opts: { skip?: string | boolean | undefined } = {},
): void {
  describe(`Anchor contract: ${name}`, { skip: opts.skip ?? false }, () => {
    test('anchors a finalized statement and reads it back', async () => {
      const { subject, cleanup } = await open();
      try {
        assert.equal(await subject.read(1), undefined);
        const s = statementOf(network_id, 1);
        const out = await subject.anchor(s);
        assert.equal(out.ok, true);
        assert.ok(out.ok);
        assert.equal(out.already, false);
        assert.equal(out.receipt.adapter, subject.kind);
        const back = await subject.read(1);
        assert.ok(back);
        assert.equal(back.settlement_root, s.settlement_root);
        assert.equal(back.rewards_root, s.rewards_root);
        assert.equal(back.statement_hash, s.statement_hash);
        assert.equal(back.network_id, network_id);
        assert.deepEqual(await subject.verify(s), { ok: true, receipt: back });
      } finally {
        await cleanup();
      }
    });

    test('the same statement again is a no-op; other roots for the epoch are a conflict', async () => {
      const { subject, cleanup } = await open();
      try {
        const s = statementOf(network_id, 2);
        assert.equal((await subject.anchor(s)).ok, true);
        const again = await subject.anchor(s);
        assert.ok(again.ok);
        assert.equal(again.already, true);
        const other = statementOf(network_id, 2, 'b');
        const refused = await subject.anchor(other);
        assert.equal(refused.ok, false);
        assert.ok(!refused.ok);
        assert.equal(refused.code, 'conflict');
        assert.equal(refused.existing.settlement_root, s.settlement_root);
        assert.equal((await subject.read(2))?.settlement_root, s.settlement_root);
      } finally {
        await cleanup();
      }
    });

    test('verify names a different root and an epoch never anchored', async () => {
      const { subject, cleanup } = await open();
      try {
        await subject.anchor(statementOf(network_id, 3));
        await subject.anchor(statementOf(network_id, 4, 'c'));
        const wrong = await subject.verify(statementOf(network_id, 3, 'd'));
        assert.equal(wrong.ok, false);
        assert.ok(!wrong.ok);
        assert.equal(wrong.code, 'root_mismatch');
        assert.match(wrong.message, /settlement_root/);
        const missing = await subject.verify(statementOf(network_id, 9));
        assert.ok(!missing.ok);
        assert.equal(missing.code, 'not_anchored');
        assert.equal((await subject.verify(statementOf(network_id, 4, 'c'))).ok, true);
      } finally {
        await cleanup();
      }
    });

    test('a malformed statement is refused with invalid_statement', async () => {
      const { subject, cleanup } = await open();
      try {
        await assert.rejects(subject.anchor({ ...statementOf(network_id, 5), settlement_root: 'xyz' }), {
          code: 'invalid_statement',
        });
        await assert.rejects(subject.anchor({ ...statementOf(network_id, 0) }), { code: 'invalid_statement' });
        assert.equal(await subject.read(5), undefined);
      } finally {
        await cleanup();
      }
    });
  });
}
