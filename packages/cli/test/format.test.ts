import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { colorsWanted, createColors, stripAnsi, visibleWidth } from '../src/format/colors.ts';
import { summarizeRewards } from '../src/format/rewards.ts';
import { renderPairs, renderTable } from '../src/format/table.ts';
import { describeTaskOutput } from '../src/format/task-output.ts';
import { groupDigits, shortHex } from '../src/format/text.ts';
import { formatDuration, formatRelativeTime, formatTimestamp } from '../src/format/time.ts';
import { sampleRewards } from './support/fixtures.ts';

describe('format helpers', () => {
  it('aligns table columns, right-aligning numbers, ignoring color codes', () => {
    const colors = createColors(true);
    const table = renderTable(
      [{ header: 'TASK' }, { header: 'STATE' }, { header: 'FEE', align: 'right' }],
      [
        ['tsk_1', colors.green('completed'), '5'],
        ['tsk_22', 'accepted', '12000'],
      ],
    );
    const lines = table.split('\n').map(stripAnsi);
    assert.deepEqual(lines, ['TASK    STATE        FEE', 'tsk_1   completed      5', 'tsk_22  accepted   12000']);
  });

  it('aligns label/value pairs', () => {
    assert.equal(
      renderPairs(
        [
          ['a', '1'],
          ['long', '2'],
        ],
        '  ',
      ),
      '  a:    1\n  long: 2',
    );
  });

  it('colors only a terminal without NO_COLOR', () => {
    assert.equal(colorsWanted({ isTTY: true }, {}), true);
    assert.equal(colorsWanted({ isTTY: true }, { NO_COLOR: '1' }), false);
    assert.equal(colorsWanted({ isTTY: true }, { NO_COLOR: '' }), true, 'an empty NO_COLOR does not count');
    assert.equal(colorsWanted({ isTTY: false }, {}), false);
    assert.equal(colorsWanted({}, {}), false);
    assert.equal(createColors(false).red('x'), 'x');
    assert.equal(createColors(true).red('x'), '\u001b[31mx\u001b[39m');
    assert.equal(visibleWidth(createColors(true).bold('abc')), 3);
  });

  it('formats relative times, timestamps and durations', () => {
    const now = Date.UTC(2026, 10, 28, 12, 0, 0);
    assert.equal(formatRelativeTime(now - 400, now), 'just now');
    assert.equal(formatRelativeTime(now - 12_000, now), '12s ago');
    assert.equal(formatRelativeTime(now - 5 * 60_000, now), '5m ago');
    assert.equal(formatRelativeTime(now - 3 * 3_600_000, now), '3h ago');
    assert.equal(formatRelativeTime(now - 2 * 86_400_000, now), '2d ago');
    assert.equal(formatRelativeTime(now + 40_000, now), 'in 40s');
    assert.equal(formatTimestamp(now), '2026-11-28 12:00:00Z');
    assert.equal(formatDuration(850), '850ms');
    assert.equal(formatDuration(4200), '4.2s');
    assert.equal(formatDuration(65_000), '1m 05s');
  });

  it('shortens hashes and groups digits', () => {
    assert.equal(shortHex('a'.repeat(64)), 'aaaaaaaa…aaaaaaaa');
    assert.equal(shortHex('abc'), 'abc');
    assert.equal(groupDigits('1234567'), '1,234,567');
    assert.equal(groupDigits('-1000'), '-1,000');
    assert.equal(groupDigits('12.50'), '12.50');
  });

  it('sums rewards per account exactly', () => {
    const summary = summarizeRewards([
      ...sampleRewards(),
      {
        ...sampleRewards()[0]!,
        reward_id: `rwd_${'f'.repeat(32)}`,
        state: 'adjusted',
        amount: undefined,
        delta: '-2000',
      } as never,
      {
        ...sampleRewards()[0]!,
        reward_id: `rwd_${'e'.repeat(32)}`,
        state: 'calculated',
        amount: '99999999999999999999',
      },
    ]);
    assert.deepEqual(
      summary.map((s) => [s.account, s.roles, s.records, s.finalized, s.pending]),
      [
        ['act_op-acme', ['vault_operator', 'executor'], 2, 7000n, 0n],
        ['act_sub-0001', ['data_producer'], 3, 10000n, 99999999999999999999n],
      ],
    );
  });

  it('describes built-in compute outputs in one line', () => {
    assert.equal(
      describeTaskOutput({ operator: 'count', value: 299, records: 299, subjects: 97 }),
      '299 records (97 subjects)',
    );
    assert.equal(
      describeTaskOutput({ operator: 'mean', attribute: 'total_amount', value: '51.52', records: 341, subjects: 52 }),
      '51.52 over 341 records (52 subjects)',
    );
    assert.equal(
      describeTaskOutput({
        operator: 'histogram',
        bin_edges: ['0', '5', '10'],
        counts: [3, 4],
        outside: 1,
        records: 8,
        subjects: 6,
      }),
      '[0, 5) 3  [5, 10) 4  outside 1 over 8 records (6 subjects)',
    );
    assert.equal(
      describeTaskOutput({ operator: 'sum', suppressed: true, reason: 'below_k_min' }),
      'suppressed (fewer than k_min distinct subjects)',
    );
    assert.equal(describeTaskOutput({ anything: [1, 2] }), '{"anything":[1,2]}');
  });
});
