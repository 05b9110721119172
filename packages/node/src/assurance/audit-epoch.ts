/**
 * `symphony audit epoch N`: re-derives everything about a finalized epoch from the protocol log
 * and checks what the node recorded against it. The log's hash chain; the epoch window; every
 * settled task's semantic resolution against the one recorded at dispatch; the recorded
 * accounting (entries, reward records, payout intents) against the accounting the log derives;
 * fees = rewards + treasury + refunds and payouts = finalized rewards over the recorded
 * accounting, whose roots must be the ones the quorum certificate signed; the payout batches
 * (claims roots rebuilt from the intents, executed batches' totals); and the anchor.
 */
import {
  type AuditFinding,
  accountingOf,
  compareAccounting,
  deriveEpochWindow,
  type Entry,
  type EpochAccounting,
  epochEmission,
  fold,
  type PayoutBatchTotals,
  type PayoutExecution,
  policyInForce,
  type ReconciliationTotals,
  reconcileEpoch,
  reconcilePayoutBatches,
  statementHash,
  verifyChain,
  windowDifferences,
} from '@symphony/protocol';
import { type AnchorLedgerEntry, brokenLedgerEntry } from '../anchoring/anchor-ledger-chain.ts';
import type { AnchorReceipt } from '../ports/anchor.ts';
import { resolveTask } from '../semantic/resolve-task.ts';

/** The anchor as the node reports it (`GET /v1/epochs/:epochId/anchor`). */
export type AnchorReport = {
  adapter: string;
  receipt?: AnchorReceipt;
  verified: boolean;
  code?: string;
  message?: string;
  ledger?: AnchorLedgerEntry[];
};

export type AuditInput = {
  epoch_id: number;
  /** The protocol log from genesis. */
  entries: readonly Entry[];
  /** The accounting the node recorded; without it, the accounting the log derives is reconciled. */
  recorded?: EpochAccounting;
  /** The anchor as the node reports it; without it the anchor is not checked (and the audit says so). */
  anchor?: AnchorReport;
};

export type AuditReport = {
  ok: boolean;
  epoch_id: number;
  findings: AuditFinding[];
  window?: { opened_at_seq: number; closed_at_seq?: number; entries: number; ignored_foreign: number };
  tasks: number;
  resolutions_checked: number;
  totals?: ReconciliationTotals;
  payout_batches?: PayoutBatchTotals;
  anchor?: { adapter: string; reference?: string; checked: boolean };
};

export function auditEpoch(input: AuditInput): AuditReport {
  const { epoch_id } = input;
  const report: AuditReport = { ok: false, epoch_id, findings: [], tasks: 0, resolutions_checked: 0 };
  const findings = report.findings;
  const done = () => ({ ...report, ok: findings.length === 0 });

  const chain = verifyChain(input.entries as unknown as Parameters<typeof verifyChain>[0]);
  if (!chain.ok) {
    findings.push({
      code: 'log_chain_broken',
      subject: `entry ${chain.seq}`,
      message: `the log breaks at entry ${chain.seq}: ${chain.reason}`,
    });
    return done();
  }
  const folded = fold(input.entries);
  if (folded.fatal) {
    findings.push({ code: 'log_corrupt', subject: `entry ${folded.fatal.seq}`, message: folded.fatal.refusal.message });
    return done();
  }
  const state = folded.state;
  const recordedWindow = state.epochs[epoch_id];
  if (!recordedWindow) {
    findings.push({ code: 'epoch_unknown', subject: `epoch ${epoch_id}`, message: `the log has no epoch ${epoch_id}` });
    return done();
  }
  const settlement = state.settlements[epoch_id];
  if (settlement?.state !== 'finalized' || !settlement.certificate) {
    findings.push({
      code: 'epoch_not_finalized',
      subject: `epoch ${epoch_id}`,
      message: `the settlement of epoch ${epoch_id} is ${settlement?.state ?? 'missing'}, not finalized`,
    });
    return done();
  }

  const derivedWindow = deriveEpochWindow(input.entries, epoch_id, (e) => policyInForce(state, e)?.epoch_length_ms);
  if (!derivedWindow) {
    findings.push({
      code: 'window_mismatch',
      subject: `epoch ${epoch_id}`,
      message: 'the window cannot be re-derived',
    });
  } else {
    for (const d of windowDifferences(derivedWindow, recordedWindow))
      findings.push({ code: 'window_mismatch', subject: `epoch ${epoch_id}`, message: d });
    report.window = {
      opened_at_seq: derivedWindow.opened_at_seq,
      ...(derivedWindow.closed_at_seq !== undefined ? { closed_at_seq: derivedWindow.closed_at_seq } : {}),
      entries: derivedWindow.entry_count,
      ignored_foreign: derivedWindow.foreign_seqs.length,
    };
  }

  const admissions = new Map<string, Entry>();
  for (const e of input.entries) {
    if (e.event.type === 'task_admitted' && !admissions.has(e.event.envelope.task_id))
      admissions.set(e.event.envelope.task_id, e);
  }
  report.tasks = settlement.entries.length;
  for (const se of settlement.entries) {
    const task = state.tasks[se.task_id];
    const admitted = admissions.get(se.task_id);
    if (!task || !admitted || admitted.event.type !== 'task_admitted') {
      findings.push({ code: 'resolution_mismatch', subject: `task ${se.task_id}`, message: 'no admission in the log' });
      continue;
    }
    if (task.resolution_hash === undefined) continue;
    const r = resolveTask(state, admitted.event.envelope, admitted.seq);
    report.resolutions_checked++;
    if (!r.ok) {
      findings.push({
        code: 'resolution_mismatch',
        subject: `task ${se.task_id}`,
        message: `re-resolution fails (${r.reason_code}: ${r.message}); the log recorded ${task.resolution_hash}`,
      });
    } else if (r.hash !== task.resolution_hash) {
      findings.push({
        code: 'resolution_mismatch',
        subject: `task ${se.task_id}`,
        message: `re-resolution gives ${r.hash}; the log recorded ${task.resolution_hash}`,
      });
    }
  }

  const derived = accountingOf(state, epoch_id);
  // Findings are appended one by one: a spread of hundreds of thousands overflows the call stack.
  if (input.recorded) for (const f of compareAccounting(input.recorded, derived)) findings.push(f);
  const statement = settlement.certificate.statement;
  const reconciled = reconcileEpoch(input.recorded ?? derived, statement, state.treasury_account);
  for (const f of reconciled.findings) findings.push(f);
  report.totals = reconciled.totals;
  // The emission the log's window and parameters give (the candidate distributes all of it, unless no entry earns it).
  const policy = policyInForce(state, epoch_id);
  const genesisMs = state.epochs[1]?.opened_at_ms;
  if (
    policy?.economics &&
    genesisMs !== undefined &&
    recordedWindow.closed_at_ms !== undefined &&
    settlement.entries.length
  ) {
    const due = epochEmission(
      policy.economics,
      genesisMs,
      recordedWindow.opened_at_ms,
      recordedWindow.closed_at_ms,
    ).total;
    if (BigInt(reconciled.totals.emission) !== due)
      findings.push({
        code: 'emission_mismatch',
        subject: `epoch ${epoch_id}`,
        message: `the emission rewards sum to ${reconciled.totals.emission}; the schedule gives ${due} for the epoch's window`,
      });
  }
  const executions: PayoutExecution[] = [];
  for (const e of input.entries) if (e.event.type === 'payout_batch_executed') executions.push(e.event.execution);
  const batches = reconcilePayoutBatches({
    epoch_id,
    payouts: (input.recorded ?? derived).payouts,
    logBatches: derived.batches ?? [],
    executions,
    ...(input.recorded?.batches ? { recordedBatches: input.recorded.batches } : {}),
  });
  for (const f of batches.findings) findings.push(f);
  report.payout_batches = batches.totals;

  if (input.anchor) {
    const a = input.anchor;
    report.anchor = { adapter: a.adapter, checked: true, ...(a.receipt ? { reference: a.receipt.reference } : {}) };
    const expected = {
      network_id: state.network_id,
      settlement_root: statement.settlement_root,
      rewards_root: statement.rewards_root,
      statement_hash: statementHash(statement),
    };
    if (!a.receipt) {
      findings.push({
        code: 'anchor_missing',
        subject: `epoch ${epoch_id}`,
        message: a.message ?? `epoch ${epoch_id} is not anchored (${a.adapter})`,
      });
    } else {
      for (const f of ['network_id', 'settlement_root', 'rewards_root', 'statement_hash'] as const) {
        if (a.receipt[f] !== expected[f])
          findings.push({
            code: 'anchor_mismatch',
            subject: `epoch ${epoch_id}`,
            message: `anchored ${f} ${a.receipt[f]}; the log's certificate gives ${expected[f]}`,
          });
      }
    }
    if (a.ledger) {
      const broken = brokenLedgerEntry(a.ledger);
      if (broken)
        findings.push({
          code: 'anchor_ledger_broken',
          subject: `anchor ledger entry ${broken.seq}`,
          message: broken.reason,
        });
      const held = a.ledger.find((e) => e.epoch_id === epoch_id);
      if (a.receipt && (!held || held.hash !== a.receipt.reference))
        findings.push({
          code: 'anchor_ledger_broken',
          subject: `epoch ${epoch_id}`,
          message: 'the anchor receipt is not the ledger entry of the epoch',
        });
    }
  }
  return done();
}
