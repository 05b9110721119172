import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { CONTRIBUTOR_ROLES, type Contribution, normalizeContributions, priceTask, splitFee } from '../src/index.ts';
import { defaultParameters } from './support/network-fixture.ts';

const bpsArb = fc.array(fc.nat(10_000), { minLength: 4, maxLength: 4 }).map((cuts) => {
  const sorted = [...cuts].sort((a, b) => a - b);
  const [a, b, c, d] = sorted as [number, number, number, number];
  return { data_producer: a, vault_operator: b - a, executor: c - b, verifier: d - c, treasury: 10_000 - d };
});

const contributionArb = fc.record({
  account: fc.constantFrom('act_a', 'act_b', 'act_c', 'act_d', 'act_e'),
  role: fc.constantFrom('data_producer', 'vault_operator', 'executor', 'verifier', 'treasury'),
  units: fc.integer({ min: 1, max: 1_000_000 }),
}) as fc.Arbitrary<Contribution>;

describe('reward split', () => {
  it('always sums exactly to the fee, with non-negative lines and the treasury last', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: 10n ** 30n }),
        bpsArb,
        fc.array(contributionArb, { maxLength: 30 }),
        (fee, bps, cs) => {
          const lines = splitFee(fee, bps, cs, 'act_treasury');
          assert.equal(
            lines.reduce((s, l) => s + l.amount, 0n),
            fee,
          );
          assert.ok(lines.every((l) => l.amount >= 0n));
          assert.equal(lines[lines.length - 1]!.role, 'treasury');
          assert.equal(lines.filter((l) => l.role === 'treasury').length, 1);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('pays a role in proportion to units, rounding down, with remainders to the treasury', () => {
    const bps = { data_producer: 5000, vault_operator: 0, executor: 2500, verifier: 0, treasury: 2500 };
    const lines = splitFee(
      1001n,
      bps,
      [
        { account: 'act_a', role: 'data_producer', units: 1 },
        { account: 'act_b', role: 'data_producer', units: 2 },
        { account: 'act_x', role: 'executor', units: 1 },
      ],
      'act_t',
    );
    // data share 500 (1001*5000/10000 rounded down): a gets 166, b 333; executor 250; treasury 1001-749 = 252
    assert.deepEqual(
      lines.map((l) => [l.account, l.role, l.amount]),
      [
        ['act_a', 'data_producer', 166n],
        ['act_b', 'data_producer', 333n],
        ['act_x', 'executor', 250n],
        ['act_t', 'treasury', 252n],
      ],
    );
  });

  it('merges duplicate contributors and sends an empty role share to the treasury', () => {
    const lines = splitFee(
      10_000n,
      defaultParameters().reward_split_bps,
      [
        { account: 'act_a', role: 'data_producer', units: 1 },
        { account: 'act_a', role: 'data_producer', units: 1 },
      ],
      'act_t',
    );
    assert.deepEqual(
      lines.map((l) => [l.account, l.units, l.amount]),
      [
        ['act_a', 2, 4000n],
        ['act_t', 1, 6000n],
      ],
    );
  });

  it('normalizes to one line per (role, account), units summed, in role order then account order', () => {
    fc.assert(
      fc.property(fc.array(contributionArb, { maxLength: 40 }), (contributions) => {
        const units = new Map<string, number>();
        for (const c of contributions) {
          const key = JSON.stringify([CONTRIBUTOR_ROLES.indexOf(c.role), c.account, c.role]);
          units.set(key, (units.get(key) ?? 0) + c.units);
        }
        const expected = [...units]
          .map(([key, n]) => {
            const [rank, account, role] = JSON.parse(key) as [number, string, Contribution['role']];
            return { rank, c: { account, role, units: n } };
          })
          .sort((a, b) => a.rank - b.rank || (a.c.account < b.c.account ? -1 : a.c.account > b.c.account ? 1 : 0))
          .map((x) => x.c);
        assert.deepEqual(normalizeContributions(contributions), expected);
      }),
      { numRuns: 300 },
    );
  });

  it('prices by usage and never charges more than the escrowed maximum', () => {
    const price = { base: '1000', per_record: '10', per_fuel_kilo: '2', per_round_vault: '100' };
    assert.deepEqual(priceTask(price, { records_scanned: 5, fuel: 1001, rounds: 2 }, 3, 100_000n), {
      fee: 1654n,
      refund: 98_346n,
    });
    assert.deepEqual(priceTask(price, { records_scanned: 10_000, fuel: 0, rounds: 0 }, 1, 5000n), {
      fee: 5000n,
      refund: 0n,
    });
  });
});
