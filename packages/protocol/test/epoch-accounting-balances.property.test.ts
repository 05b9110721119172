/**
 * For random epochs (tasks, fees, contributors, splits, emission schedules and epoch windows), the
 * ledger balances exactly: escrowed fees + emission = rewards + treasury + refunds, and the epochs
 * of a year emit exactly that year's emission however the year is cut.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  BOOTSTRAP_EMISSION_YEAR_BPS,
  cumulativeEmission,
  distributeEmission,
  type EconomicsParameters,
  EMISSION_YEAR_MS,
  epochEmission,
  epochLedger,
  type SettledTask,
  yearEmission,
} from '../src/index.ts';

const ROLES = ['data_producer', 'vault_operator', 'executor', 'verifier'] as const;
const account = fc.constantFrom('act_a', 'act_b', 'act_c', 'act_d', 'act_e');
const contribution = fc.record({
  account,
  role: fc.constantFrom(...ROLES),
  units: fc.integer({ min: 0, max: 10_000 }),
});

const split = fc.tuple(...Array.from({ length: 5 }, () => fc.integer({ min: 0, max: 10_000 }))).map((w) => {
  const total = w.reduce((a, b) => a + b, 0) || 1;
  const bps = w.map((x) => Math.floor((x * 10_000) / total));
  bps[4] = 10_000 - bps[0]! - bps[1]! - bps[2]! - bps[3]!;
  return { data_producer: bps[0]!, vault_operator: bps[1]!, executor: bps[2]!, verifier: bps[3]!, treasury: bps[4]! };
});

const task = fc
  .record({
    max_fee: fc.bigInt({ min: 0n, max: 10n ** 30n }),
    permille: fc.integer({ min: 0, max: 1000 }),
    contributions: fc.array(contribution, { maxLength: 8 }),
    split,
  })
  .map(
    (t): Omit<SettledTask, 'task_id'> => ({
      max_fee: t.max_fee,
      fee: (t.max_fee * BigInt(t.permille)) / 1000n,
      contributions: t.contributions,
      split: t.split,
    }),
  );

const economics: fc.Arbitrary<EconomicsParameters> = fc.record({
  genesis_supply: fc.bigInt({ min: 0n, max: 10n ** 36n }).map(String),
  emission_year_bps: fc.oneof(
    fc.constant<number[]>([...BOOTSTRAP_EMISSION_YEAR_BPS]),
    fc.array(fc.integer({ min: 0, max: 10_000 }), { maxLength: 6 }),
  ),
  data_quality_pool_bps: fc.integer({ min: 0, max: 10_000 }),
  unbonding_period_ms: fc.constant<number>(0),
});

const window = fc
  .tuple(fc.integer({ min: 0, max: 6 * EMISSION_YEAR_MS }), fc.integer({ min: 0, max: 2 * EMISSION_YEAR_MS }))
  .map(([opened, length]) => ({ opened, closed: opened + length }));

describe('epoch accounting balances exactly', () => {
  it('escrowed fees + emission = rewards + treasury + refunds, for random epochs', () => {
    fc.assert(
      fc.property(fc.array(task, { maxLength: 20 }), economics, window, (tasks, econ, w) => {
        const settled = tasks.map((t, i) => ({ ...t, task_id: `tsk_${i}` }));
        const genesis = 1_767_225_600_000;
        const emission = epochEmission(econ, genesis, genesis + w.opened, genesis + w.closed);
        assert.equal(emission.data_quality + emission.node_operation, emission.total);
        const ledger = epochLedger(settled, emission, 'act_treasury');
        const t = ledger.totals;
        assert.equal(t.escrowed + t.emission, t.rewards + t.treasury + t.refunds);
        assert.equal(t.fees + t.emission, t.rewards + t.treasury);
        const emitted = ledger.emission_lines.reduce((s, l) => s + l.amount, 0n);
        assert.equal(emitted, settled.length > 0 ? emission.total : 0n);
        assert.equal(t.emission, emitted);
        for (const { lines } of ledger.fee_lines) for (const l of lines) assert.ok(l.amount >= 0n);
        for (const l of ledger.emission_lines) assert.ok(l.amount > 0n);
      }),
      { numRuns: 300 },
    );
  });

  it('the epochs of a year emit exactly that year, however it is cut into epochs', () => {
    fc.assert(
      fc.property(
        economics,
        fc.integer({ min: 0, max: 5 }),
        fc.uniqueArray(fc.integer({ min: 1, max: EMISSION_YEAR_MS - 1 }), { maxLength: 50 }),
        (econ, year, cuts) => {
          const start = year * EMISSION_YEAR_MS;
          const points = [start, ...cuts.sort((a, b) => a - b).map((c) => start + c), start + EMISSION_YEAR_MS];
          let sum = 0n;
          for (let i = 1; i < points.length; i++) sum += epochEmission(econ, 0, points[i - 1]!, points[i]!).total;
          assert.equal(sum, yearEmission(econ, year));
        },
      ),
      { numRuns: 200 },
    );
  });

  it('the bootstrap schedule emits 8 %, 5 %, 3 %, 1.5 % of genesis supply, then nothing', () => {
    const econ: EconomicsParameters = {
      genesis_supply: '1000000000000000000000000000',
      emission_year_bps: [...BOOTSTRAP_EMISSION_YEAR_BPS],
      data_quality_pool_bps: 6000,
      unbonding_period_ms: 0,
    };
    const supply = 10n ** 27n;
    const years = [0, 1, 2, 3, 4, 5].map((y) => yearEmission(econ, y));
    assert.deepEqual(years, [
      (supply * 8n) / 100n,
      (supply * 5n) / 100n,
      (supply * 3n) / 100n,
      (supply * 15n) / 1000n,
      0n,
      0n,
    ]);
    assert.equal(cumulativeEmission(econ, 10 * EMISSION_YEAR_MS), (supply * 175n) / 1000n);
    const hour = epochEmission(econ, 0, 0, 3_600_000);
    assert.equal(hour.total, (((supply * 8n) / 100n) * 3_600_000n) / BigInt(EMISSION_YEAR_MS));
    assert.equal(hour.data_quality, (hour.total * 6000n) / 10_000n);
    assert.equal(epochEmission(undefined, 0, 0, EMISSION_YEAR_MS).total, 0n);
  });

  it('the data-quality pool pays data producers, the node-operation pool the operators; an empty pool goes to the treasury', () => {
    const lines = distributeEmission(
      { total: 1000n, data_quality: 600n, node_operation: 400n },
      [
        { task_id: 'tsk_1', contributions: [{ account: 'act_a', role: 'data_producer', units: 2 }] },
        {
          task_id: 'tsk_2',
          contributions: [
            { account: 'act_b', role: 'data_producer', units: 1 },
            { account: 'act_a', role: 'data_producer', units: 1 },
          ],
        },
      ],
      'act_treasury',
    );
    assert.deepEqual(
      lines.map((l) => [l.task_id, l.account, l.role, l.pool, l.amount]),
      [
        ['tsk_1', 'act_a', 'data_producer', 'data_quality', 300n],
        ['tsk_2', 'act_a', 'data_producer', 'data_quality', 150n],
        ['tsk_2', 'act_b', 'data_producer', 'data_quality', 150n],
        ['tsk_1', 'act_treasury', 'treasury', 'treasury', 400n],
      ],
    );
    assert.deepEqual(distributeEmission({ total: 5n, data_quality: 5n, node_operation: 0n }, [], 'act_treasury'), []);
  });
});
