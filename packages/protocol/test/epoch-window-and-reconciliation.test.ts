/**
 * Pure assurance parts: the epoch window re-derived from the entries alone equals the one the
 * reducer recorded; the finalized accounting of every epoch reconciles exactly; and any change to
 * one amount of a recorded reward, entry or payout intent is detected.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  accountingOf,
  compareAccounting,
  deriveEpochWindow,
  type EpochAccounting,
  policyInForce,
  reconcileEpoch,
  windowDifferences,
} from '../src/index.ts';
import { NetworkFixture } from './support/network-fixture.ts';

function network(epochs: number, perEpoch: number): NetworkFixture {
  const net = new NetworkFixture()
    .genesis()
    .enterpriseNode('node_ent-a', ['vlt_a1'])
    .enterpriseNode('node_ent-b', ['vlt_b1']);
  for (let e = 0; e < epochs; e++) {
    for (let i = 0; i < perEpoch; i++) net.completeTask(`tsk_w${e}x${i}`, [i % 2 ? 'vlt_a1' : 'vlt_b1']);
    net.closeEpoch();
    net.sign(net.state.current_epoch - 1, 0);
    net.sign(net.state.current_epoch - 1, 1);
  }
  return net;
}

const net = network(4, 3);
const lengthOf = (n: NetworkFixture) => (e: number) => policyInForce(n.state, e)?.epoch_length_ms;

describe('epoch window re-derivation', () => {
  it('gives, for every epoch, the window the reducer recorded', () => {
    for (const w of Object.values(net.state.epochs)) {
      const derived = deriveEpochWindow(net.entries, w.epoch_id, lengthOf(net));
      assert.ok(derived, `epoch ${w.epoch_id}`);
      assert.deepEqual(windowDifferences(derived, w), []);
      assert.deepEqual(derived.foreign_seqs, []);
    }
    assert.equal(deriveEpochWindow(net.entries, 99, lengthOf(net)), undefined);
  });

  it('does not close on a scheduled close that is not due, and counts entries naming another epoch', () => {
    const n = network(1, 1);
    n.append({ type: 'epoch_closed', epoch_id: n.state.current_epoch, trigger: 'schedule' });
    const early = n.entries.at(-1)!;
    const current = n.state.current_epoch;
    const derived = deriveEpochWindow(n.entries, current, lengthOf(n))!;
    assert.equal(derived.closed_at_seq, undefined, 'the early scheduled close is ignored');
    assert.deepEqual(windowDifferences(derived, n.state.epochs[current]!), []);
    const foreign = { ...early, seq: early.seq + 1, epoch_id: current + 5 };
    assert.deepEqual(deriveEpochWindow([...n.entries, foreign], current, lengthOf(n))!.foreign_seqs, [early.seq + 1]);
  });
});

describe('reconciliation of finalized accounting', () => {
  it('every finalized epoch reconciles exactly: fees = rewards + treasury + refunds, payouts = rewards', () => {
    for (const s of Object.values(net.state.settlements).filter((x) => x.state === 'finalized')) {
      const a = accountingOf(net.state, s.epoch_id);
      const { findings, totals } = reconcileEpoch(a, s.certificate!.statement, net.state.treasury_account);
      assert.deepEqual(findings, []);
      assert.equal(
        BigInt(totals.max_fees),
        BigInt(totals.contributor_rewards) + BigInt(totals.treasury) + BigInt(totals.refunds),
      );
      assert.equal(BigInt(totals.payouts), BigInt(totals.contributor_rewards) + BigInt(totals.treasury));
    }
  });

  it('any change of one amount in the recorded accounting is detected', () => {
    const epoch = 2;
    const statement = net.state.settlements[epoch]!.certificate!.statement;
    const derived = accountingOf(net.state, epoch);
    const copy = (): EpochAccounting => JSON.parse(JSON.stringify(derived));
    fc.assert(
      fc.property(
        fc.constantFrom('entry.fee', 'entry.refund', 'entry.max_fee', 'reward.amount', 'payout.amount'),
        fc.nat(),
        fc.bigInt({ min: 1n, max: 10n ** 12n }),
        (field, pick, delta) => {
          const a = copy();
          const [kind, key] = field.split('.') as [string, string];
          const list = (kind === 'entry' ? a.entries : kind === 'reward' ? a.rewards : a.payouts) as unknown as Record<
            string,
            string
          >[];
          const item = list[pick % list.length]!;
          item[key] = String(BigInt(item[key] ?? '0') + delta);
          const findings = [
            ...compareAccounting(a, derived),
            ...reconcileEpoch(a, statement, net.state.treasury_account).findings,
          ];
          return findings.length >= 2 && findings[0]!.code.endsWith('_changed');
        },
      ),
      { numRuns: 200 },
    );
  });
});
