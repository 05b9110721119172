/** Reward records summed per account, and the tables that show them. */
import type { RewardRecord } from '@symphony/protocol';
import type { Colors } from './colors.ts';
import { paintState } from './states.ts';
import { renderTable } from './table.ts';
import { groupDigits } from './text.ts';

/** One account's rewards: finalized truth (with adjustments) and what is not final yet. */
export type AccountRewards = {
  account: string;
  roles: string[];
  records: number;
  /** Sum of finalized amounts plus adjustment deltas, in base units. */
  finalized: bigint;
  /** Sum of amounts calculated but not finalized (or blocked), in base units. */
  pending: bigint;
};

/** Sums reward records per account, in account order; amounts are exact (bigint). */
export function summarizeRewards(records: readonly RewardRecord[]): AccountRewards[] {
  const byAccount = new Map<string, AccountRewards>();
  for (const record of records) {
    let entry = byAccount.get(record.account);
    if (!entry) {
      entry = { account: record.account, roles: [], records: 0, finalized: 0n, pending: 0n };
      byAccount.set(record.account, entry);
    }
    entry.records++;
    if (!entry.roles.includes(record.role)) entry.roles.push(record.role);
    if (record.state === 'finalized' && record.amount !== undefined) entry.finalized += BigInt(record.amount);
    else if (record.state === 'adjusted' && record.delta !== undefined) entry.finalized += BigInt(record.delta);
    else if (record.amount !== undefined) entry.pending += BigInt(record.amount);
  }
  return [...byAccount.values()].sort((a, b) => (a.account < b.account ? -1 : a.account > b.account ? 1 : 0));
}

/**
 * A table of {@link summarizeRewards}, with a total line. With `maxDataProducers`, only the
 * largest data producers are listed (every other account always is) and the rest become one line.
 */
export function renderRewardSummary(
  summary: readonly AccountRewards[],
  colors: Colors,
  options: { maxDataProducers?: number } = {},
): string {
  const total = summary.reduce((sum, s) => sum + s.finalized, 0n);
  const pending = summary.reduce((sum, s) => sum + s.pending, 0n);
  const amount = (value: bigint): string => (value === 0n ? '-' : groupDigits(String(value)));
  const isProducer = (s: AccountRewards): boolean => s.roles.length === 1 && s.roles[0] === 'data_producer';
  let shown = [...summary];
  let hidden: AccountRewards[] = [];
  const limit = options.maxDataProducers;
  if (limit !== undefined) {
    const producers = summary
      .filter(isProducer)
      .sort((a, b) => (b.finalized > a.finalized ? 1 : b.finalized < a.finalized ? -1 : 0));
    hidden = producers.slice(limit);
    shown = summary.filter((s) => !hidden.includes(s));
  }
  const rows = shown.map((s) => [
    s.account,
    s.roles.join(', '),
    String(s.records),
    groupDigits(String(s.finalized)),
    amount(s.pending),
  ]);
  if (hidden.length > 0) {
    rows.push([
      colors.dim(`… ${hidden.length} more data producers`),
      'data_producer',
      String(hidden.reduce((n, s) => n + s.records, 0)),
      groupDigits(String(hidden.reduce((sum, s) => sum + s.finalized, 0n))),
      amount(hidden.reduce((sum, s) => sum + s.pending, 0n)),
    ]);
  }
  rows.push([colors.bold('total'), '', '', colors.bold(groupDigits(String(total))), amount(pending)]);
  return renderTable(
    [
      { header: 'ACCOUNT' },
      { header: 'ROLES' },
      { header: 'RECORDS', align: 'right' },
      { header: 'FINALIZED', align: 'right' },
      { header: 'PENDING', align: 'right' },
    ],
    rows,
  );
}

/** Finalized rewards per role: how many accounts, records and base units each role received. */
export function renderRewardsByRole(records: readonly RewardRecord[]): string {
  const byRole = new Map<string, { accounts: Set<string>; records: number; total: bigint }>();
  for (const r of records) {
    const entry = byRole.get(r.role) ?? { accounts: new Set<string>(), records: 0, total: 0n };
    entry.accounts.add(r.account);
    entry.records++;
    if (r.state === 'finalized' && r.amount !== undefined) entry.total += BigInt(r.amount);
    else if (r.state === 'adjusted' && r.delta !== undefined) entry.total += BigInt(r.delta);
    byRole.set(r.role, entry);
  }
  return renderTable(
    [
      { header: 'ROLE' },
      { header: 'ACCOUNTS', align: 'right' },
      { header: 'RECORDS', align: 'right' },
      { header: 'FINALIZED', align: 'right' },
    ],
    [...byRole.entries()].map(([role, e]) => [
      role,
      String(e.accounts.size),
      String(e.records),
      groupDigits(String(e.total)),
    ]),
  );
}

/** A table of individual reward records. */
export function renderRewardRecords(records: readonly RewardRecord[], colors: Colors): string {
  return renderTable(
    [
      { header: 'REWARD' },
      { header: 'EPOCH', align: 'right' },
      { header: 'TASK' },
      { header: 'ACCOUNT' },
      { header: 'ROLE' },
      { header: 'UNITS', align: 'right' },
      { header: 'STATE' },
      { header: 'AMOUNT', align: 'right' },
    ],
    records.map((r) => [
      r.reward_id,
      String(r.epoch_id),
      r.task_id,
      r.account,
      r.role,
      String(r.units),
      paintState(r.state, colors),
      groupDigits(r.delta ?? r.amount ?? '-'),
    ]),
  );
}
