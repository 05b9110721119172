/**
 * Reward-accounting and payout reconciliation of one finalized epoch, over the accounting a node
 * recorded: every task's fee is split exactly into its reward lines, escrowed fees equal rewards
 * plus treasury plus refunds, payout intents equal finalized rewards per account, and the roots of
 * the recorded entries and reward records are the ones the quorum certificate signed.
 */
import { parseAmount } from '../encoding/amount.ts';
import { domainHash } from '../hashing/domain-hash.ts';
import { DomainTags } from '../objects/domain-tags.ts';
import type { PayoutBatch } from '../objects/payout.ts';
import type { PayoutIntent, RewardRecord } from '../objects/reward-record.ts';
import type { SettlementEntry, SettlementStatement } from '../objects/settlement.ts';
import type { ProtocolState } from '../reducer/state.ts';
import { orderEntries, rewardsRootHex, settlementRootHex } from '../settlement/settlement-tree.ts';

/** Why an audit failed. */
export const AUDIT_FINDING_CODES = [
  'log_chain_broken',
  'log_corrupt',
  'epoch_unknown',
  'epoch_not_finalized',
  'window_mismatch',
  'resolution_mismatch',
  'entry_missing',
  'entry_unexpected',
  'entry_changed',
  'reward_missing',
  'reward_unexpected',
  'reward_changed',
  'payout_missing',
  'payout_forged',
  'payout_changed',
  'fee_refund_mismatch',
  'task_rewards_mismatch',
  'fees_unbalanced',
  'settlement_root_mismatch',
  'rewards_root_mismatch',
  'payout_reward_mismatch',
  'emission_mismatch',
  'payout_batch_missing',
  'payout_batch_mismatch',
  'payout_batch_forged',
  'payout_execution_mismatch',
  'anchor_missing',
  'anchor_mismatch',
  'anchor_ledger_broken',
] as const;
/** One of {@link AUDIT_FINDING_CODES}. */
export type AuditFindingCode = (typeof AUDIT_FINDING_CODES)[number];

/** One failed check, naming what it concerns (a task, reward, payout intent, log position...). */
export type AuditFinding = { code: AuditFindingCode; subject: string; message: string };

/** An epoch's accounting as a node recorded it at finality. */
export type EpochAccounting = {
  epoch_id: number;
  entries: SettlementEntry[];
  rewards: RewardRecord[];
  payouts: PayoutIntent[];
  /** The epoch's payout batches (fields fixed at finality are compared; `state` moves on execution). */
  batches?: PayoutBatch[];
};

/** Totals of a reconciled epoch (base units, as decimal strings). */
export type ReconciliationTotals = {
  max_fees: string;
  fees: string;
  refunds: string;
  contributor_rewards: string;
  treasury: string;
  /** Rewards paid from the epoch's emission pools (not from fees). */
  emission: string;
  payouts: string;
};

const sum = (xs: Iterable<bigint>) => {
  let t = 0n;
  for (const x of xs) t += x;
  return t;
};

/**
 * Reconciles recorded accounting with itself and with the signed statement. Emission rewards
 * (`source: 'emission'`) count toward payouts but not toward fees; their total is in `totals.emission`.
 */
export function reconcileEpoch(
  accounting: EpochAccounting,
  statement: SettlementStatement,
  treasury_account: string,
): { findings: AuditFinding[]; totals: ReconciliationTotals } {
  const findings: AuditFinding[] = [];
  const { entries, rewards, payouts } = accounting;
  const epoch = `epoch ${accounting.epoch_id}`;

  const root = settlementRootHex(orderEntries(entries));
  if (root !== statement.settlement_root || entries.length !== statement.entry_count) {
    findings.push({
      code: 'settlement_root_mismatch',
      subject: epoch,
      message: `the recorded ${entries.length} entries give root ${root}; the certificate signed ${statement.settlement_root} over ${statement.entry_count}`,
    });
  }
  const rewardsRoot = rewardsRootHex(rewards);
  if (rewardsRoot !== statement.rewards_root || rewards.length !== statement.reward_count) {
    findings.push({
      code: 'rewards_root_mismatch',
      subject: epoch,
      message: `the recorded ${rewards.length} reward records give root ${rewardsRoot}; the certificate signed ${statement.rewards_root} over ${statement.reward_count}`,
    });
  }

  const byTask = new Map<string, RewardRecord[]>();
  // Emission records name the task whose contributors share the epoch's emission; they are no part of its fee.
  let emission = 0n;
  for (const r of rewards) {
    if (r.source === 'emission') emission += parseAmount(r.amount ?? '0');
    else byTask.set(r.task_id, [...(byTask.get(r.task_id) ?? []), r]);
  }
  let maxFees = 0n;
  let fees = 0n;
  let refunds = 0n;
  let contributor = 0n;
  let treasury = 0n;
  for (const e of entries) {
    const [max, fee, refund] = [parseAmount(e.max_fee), parseAmount(e.fee), parseAmount(e.refund)];
    maxFees += max;
    fees += fee;
    refunds += refund;
    if (fee + refund !== max) {
      findings.push({
        code: 'fee_refund_mismatch',
        subject: `task ${e.task_id}`,
        message: `fee ${e.fee} + refund ${e.refund} != max_fee ${e.max_fee}`,
      });
    }
    const lines = byTask.get(e.task_id) ?? [];
    const split = sum(lines.map((r) => parseAmount(r.amount ?? '0')));
    if (split !== fee) {
      findings.push({
        code: 'task_rewards_mismatch',
        subject: `task ${e.task_id}`,
        message: `its reward records sum to ${split}, its fee is ${e.fee}`,
      });
    }
    for (const r of lines) {
      if (r.account === treasury_account && r.role === 'treasury') treasury += parseAmount(r.amount ?? '0');
      else contributor += parseAmount(r.amount ?? '0');
    }
  }
  if (maxFees !== contributor + treasury + refunds) {
    findings.push({
      code: 'fees_unbalanced',
      subject: epoch,
      message: `escrowed fees ${maxFees} != rewards ${contributor} + treasury ${treasury} + refunds ${refunds}`,
    });
  }

  const perAccount = new Map<string, { amount: bigint; ids: string[] }>();
  for (const r of rewards) {
    if (r.state !== 'finalized') continue;
    const acc = perAccount.get(r.account) ?? { amount: 0n, ids: [] };
    acc.amount += parseAmount(r.amount ?? '0');
    acc.ids.push(r.reward_id);
    perAccount.set(r.account, acc);
  }
  const paid = new Set<string>();
  for (const p of payouts) {
    const backing = perAccount.get(p.account);
    if (!backing || paid.has(p.account)) {
      findings.push({
        code: 'payout_reward_mismatch',
        subject: `payout ${p.intent_id}`,
        message: backing
          ? `a second payout intent for ${p.account} in ${epoch}`
          : `pays ${p.amount} to ${p.account}, who has no finalized reward in ${epoch}`,
      });
      continue;
    }
    paid.add(p.account);
    const idsHash = domainHash(DomainTags.rewardLedger, [...backing.ids].sort());
    if (
      parseAmount(p.amount) !== backing.amount ||
      p.reward_count !== backing.ids.length ||
      p.reward_ids_hash !== idsHash
    ) {
      findings.push({
        code: 'payout_reward_mismatch',
        subject: `payout ${p.intent_id}`,
        message: `pays ${p.amount} for ${p.reward_count} rewards to ${p.account}; its finalized rewards are ${backing.amount} over ${backing.ids.length}`,
      });
    }
  }
  for (const account of perAccount.keys()) {
    if (!paid.has(account)) {
      findings.push({
        code: 'payout_reward_mismatch',
        subject: `account ${account}`,
        message: `has finalized rewards in ${epoch} but no payout intent`,
      });
    }
  }
  return {
    findings,
    totals: {
      max_fees: maxFees.toString(),
      fees: fees.toString(),
      refunds: refunds.toString(),
      contributor_rewards: contributor.toString(),
      treasury: treasury.toString(),
      emission: emission.toString(),
      payouts: sum(payouts.map((p) => parseAmount(p.amount))).toString(),
    },
  };
}

/**
 * Compares recorded accounting with the accounting derived by folding the log, naming each record
 * that is missing, unexpected or changed.
 */
export function compareAccounting(recorded: EpochAccounting, derived: EpochAccounting): AuditFinding[] {
  const findings: AuditFinding[] = [];
  const same = (a: unknown, b: unknown) => JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
  const diff = <T>(
    kind: 'entry' | 'reward' | 'payout',
    key: (x: T) => string,
    rec: readonly T[],
    der: readonly T[],
    describe: (r: T, d: T) => string,
  ) => {
    const recBy = new Map(rec.map((x) => [key(x), x]));
    const derBy = new Map(der.map((x) => [key(x), x]));
    for (const [k, d] of derBy) {
      const r = recBy.get(k);
      if (!r)
        findings.push({
          code: `${kind}_missing`,
          subject: `${kind} ${k}`,
          message: `derived from the log but not recorded`,
        });
      else if (!same(r, d))
        findings.push({ code: `${kind}_changed`, subject: `${kind} ${k}`, message: describe(r, d) });
    }
    for (const k of recBy.keys()) {
      if (!derBy.has(k)) {
        findings.push({
          code: kind === 'payout' ? 'payout_forged' : `${kind}_unexpected`,
          subject: `${kind} ${k}`,
          message: `recorded but not derivable from the log`,
        });
      }
    }
  };
  const fields = (r: object, d: object) => {
    const a = r as Record<string, unknown>;
    const b = d as Record<string, unknown>;
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    const changed = keys.filter((k) => !same(a[k], b[k]));
    return changed.map((k) => `${k}: recorded ${JSON.stringify(a[k])}, log derives ${JSON.stringify(b[k])}`).join('; ');
  };
  diff<SettlementEntry>('entry', (e) => e.task_id, recorded.entries, derived.entries, fields);
  diff<RewardRecord>('reward', (r) => r.reward_id, recorded.rewards, derived.rewards, fields);
  // An intent's `state` moves to `executed` when the treasury executes its batch, after finality.
  const fixed = (p: PayoutIntent): Omit<PayoutIntent, 'state'> => {
    const { state: _state, ...rest } = p;
    return rest;
  };
  diff<Omit<PayoutIntent, 'state'>>(
    'payout',
    (p) => p.intent_id,
    recorded.payouts.map(fixed),
    derived.payouts.map(fixed),
    fields,
  );
  return findings;
}

/** A copy with object keys sorted, for comparison regardless of key order. */
function canonical(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(canonical);
  if (v && typeof v === 'object') {
    return Object.fromEntries(
      Object.keys(v as object)
        .sort()
        .map((k) => [k, canonical((v as Record<string, unknown>)[k])]),
    );
  }
  return v;
}

/** The finalized accounting of an epoch as the folded state holds it (what a node records at finality). */
export function accountingOf(state: ProtocolState, epoch_id: number): EpochAccounting {
  return {
    epoch_id,
    entries: [...(state.settlements[epoch_id]?.entries ?? [])],
    rewards: Object.values(state.rewards)
      .filter((r) => r.epoch_id === epoch_id && r.state === 'finalized')
      .sort((a, b) => (a.reward_id < b.reward_id ? -1 : 1)),
    payouts: Object.values(state.payouts)
      .filter((p) => p.epoch_id === epoch_id)
      .sort((a, b) => (a.intent_id < b.intent_id ? -1 : 1)),
    batches: Object.values(state.payout_batches ?? {})
      .filter((b) => b.epoch_id === epoch_id)
      .sort((a, b) => a.index - b.index),
  };
}
