/**
 * `auditEpoch` over a log whose tasks carry their real semantic resolution: a clean epoch passes;
 * each tampering of the recorded accounting, the anchor or the log fails naming its cause.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { accountingOf, type EpochAccounting, statementHash } from '@symphony/protocol';
import { NetworkFixture } from '@symphony/protocol/test/support/network-fixture.ts';
import { type AnchorLedgerEntry, anchorLedgerEntryHash } from '../../src/anchoring/anchor-ledger-chain.ts';
import { type AnchorReport, auditEpoch } from '../../src/assurance/audit-epoch.ts';
import { GENESIS_PREV_HASH } from '../../src/ports/protocol-log.ts';
import { resolvedNetwork } from './resolved-network.ts';

const net = resolvedNetwork(2, 5);
const EPOCH = 2;
const copy = (a: EpochAccounting): EpochAccounting => JSON.parse(JSON.stringify(a));
const recorded = () => copy(accountingOf(net.state, EPOCH));

/** The local ledger with epochs 1 and 2 anchored as certified, and its report for `EPOCH`. */
function anchorReport(): AnchorReport {
  const ledger: AnchorLedgerEntry[] = [];
  for (const epoch_id of [1, 2]) {
    const st = net.state.settlements[epoch_id]!.certificate!.statement;
    const body = {
      seq: ledger.length,
      prev_hash: ledger.at(-1)?.hash ?? GENESIS_PREV_HASH,
      network_id: net.state.network_id,
      epoch_id,
      settlement_root: st.settlement_root,
      rewards_root: st.rewards_root,
      statement_hash: statementHash(st),
    };
    ledger.push({ ...body, hash: anchorLedgerEntryHash(body) });
  }
  const held = ledger[1]!;
  return {
    adapter: 'ledger',
    verified: true,
    ledger,
    receipt: {
      network_id: held.network_id,
      epoch_id: held.epoch_id,
      settlement_root: held.settlement_root,
      rewards_root: held.rewards_root,
      statement_hash: held.statement_hash,
      adapter: 'ledger',
      reference: held.hash,
      position: held.seq,
    },
  };
}

const audit = (over: { recorded?: EpochAccounting; anchor?: AnchorReport; entries?: typeof net.entries } = {}) =>
  auditEpoch({
    epoch_id: EPOCH,
    entries: over.entries ?? net.entries,
    recorded: over.recorded ?? recorded(),
    anchor: over.anchor ?? anchorReport(),
  });

const codes = (r: ReturnType<typeof audit>) => r.findings.map((f) => f.code);

describe('audit of an epoch', () => {
  it('passes on a clean epoch: window, every resolution, accounting, reconciliation and anchor', () => {
    const r = audit();
    assert.deepEqual(r.findings, []);
    assert.equal(r.ok, true);
    assert.equal(r.tasks, 5);
    assert.equal(r.resolutions_checked, 5);
    assert.equal(r.window?.closed_at_seq, net.state.epochs[EPOCH]!.closed_at_seq);
    const t = r.totals!;
    assert.equal(BigInt(t.max_fees), BigInt(t.contributor_rewards) + BigInt(t.treasury) + BigInt(t.refunds));
    assert.equal(t.payouts, String(BigInt(t.contributor_rewards) + BigInt(t.treasury)));
  });

  it('a deleted reward record is named, and the rewards root and the task split no longer reconcile', () => {
    const a = recorded();
    const [gone] = a.rewards.splice(2, 1);
    const r = audit({ recorded: a });
    assert.equal(r.ok, false);
    assert.deepEqual(r.findings[0], {
      code: 'reward_missing',
      subject: `reward ${gone!.reward_id}`,
      message: 'derived from the log but not recorded',
    });
    for (const c of ['rewards_root_mismatch', 'task_rewards_mismatch', 'fees_unbalanced', 'payout_reward_mismatch'])
      assert.ok(codes(r).includes(c as never), `${c} in ${codes(r)}`);
  });

  it('a changed fee is named with both values, and the settlement root no longer matches the certificate', () => {
    const a = recorded();
    const e = a.entries[0]!;
    const was = e.fee;
    e.fee = String(BigInt(e.fee) + 5n);
    const r = audit({ recorded: a });
    assert.equal(r.findings[0]!.code, 'entry_changed');
    assert.equal(r.findings[0]!.subject, `entry ${e.task_id}`);
    assert.match(r.findings[0]!.message, new RegExp(`fee: recorded "${e.fee}", log derives "${was}"`));
    assert.ok(codes(r).includes('settlement_root_mismatch'));
    assert.ok(codes(r).includes('fee_refund_mismatch'));
  });

  it('a forged payout claim, and a payout intent with another amount, are named', () => {
    const a = recorded();
    const forged = { ...a.payouts[0]!, intent_id: `pay_${'e'.repeat(32)}`, account: 'act_mallory' };
    a.payouts.push(forged);
    const r = audit({ recorded: a });
    assert.deepEqual(r.findings[0], {
      code: 'payout_forged',
      subject: `payout ${forged.intent_id}`,
      message: 'recorded but not derivable from the log',
    });
    assert.ok(r.findings.some((f) => f.code === 'payout_reward_mismatch' && /act_mallory/.test(f.message)));

    const b = recorded();
    b.payouts[0]!.amount = String(BigInt(b.payouts[0]!.amount) + 1n);
    const changed = audit({ recorded: b });
    assert.equal(changed.findings[0]!.code, 'payout_changed');
    assert.ok(codes(changed).includes('payout_reward_mismatch'));
  });

  it('a re-resolution that differs from the recorded one is named', () => {
    const fake = new NetworkFixture()
      .genesis()
      .enterpriseNode('node_ent-a', ['vlt_a1'])
      .completeTask('tsk_fake', ['vlt_a1'])
      .closeEpoch();
    fake.sign(1, 0);
    fake.sign(1, 1);
    const r = auditEpoch({ epoch_id: 1, entries: fake.entries });
    assert.deepEqual(codes(r), ['resolution_mismatch']);
    assert.equal(r.findings[0]!.subject, 'task tsk_fake');
    assert.match(r.findings[0]!.message, /re-resolution gives [0-9a-f]{64}; the log recorded [0-9a-f]{64}/);
  });

  it('an anchor of other roots, a broken anchor ledger and a missing anchor are named', () => {
    const other = anchorReport();
    other.receipt = { ...other.receipt!, settlement_root: 'f'.repeat(64) };
    assert.equal(audit({ anchor: other }).findings[0]!.code, 'anchor_mismatch');

    const broken = anchorReport();
    broken.ledger![0] = { ...broken.ledger![0]!, rewards_root: '0'.repeat(64) };
    const rb = audit({ anchor: broken });
    assert.deepEqual(rb.findings[0], {
      code: 'anchor_ledger_broken',
      subject: 'anchor ledger entry 0',
      message: 'entry 0 does not match its hash',
    });

    const missing: AnchorReport = { adapter: 'ledger', verified: false, message: 'epoch 2 is not anchored' };
    assert.equal(audit({ anchor: missing }).findings[0]!.code, 'anchor_missing');
  });

  it('an altered log entry, and an epoch that is not finalized, stop the audit naming them', () => {
    const entries = net.entries.map((e) => e);
    entries[7] = { ...entries[7]!, time_ms: entries[7]!.time_ms + 1 };
    const r = audit({ entries });
    assert.deepEqual(codes(r), ['log_chain_broken']);
    assert.equal(r.findings[0]!.subject, 'entry 7');

    const open = auditEpoch({ epoch_id: 3, entries: net.entries });
    assert.deepEqual(codes(open), ['epoch_not_finalized']);
    assert.deepEqual(codes(auditEpoch({ epoch_id: 9, entries: net.entries })), ['epoch_unknown']);
  });
});
