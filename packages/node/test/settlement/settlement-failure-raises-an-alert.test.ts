/**
 * When masters cannot agree (two sign different statements for the same attempt), the settlement
 * fails with `no_quorum`: the master raises one structured alert naming the epoch, attempt,
 * reason, agreeing and dissenting masters and the recovery, and the metrics count it; after
 * `settlement_retried` the rebuilt candidate finalizes and the failed-epochs gauge is back to 0.
 */
import assert from 'node:assert/strict';
import { generateKeyPairSync, sign } from 'node:crypto';
import { describe, it } from 'node:test';
import {
  apply,
  digestBytes,
  type Entry,
  emptyState,
  type ProtocolEvent,
  type SettlementStatement,
  sealEntry,
  statementHash,
} from '@symphony/protocol';
import {
  SETTLEMENT_RECOVERY,
  settlementAlertsOf,
  settlementFailureFigures,
} from '../../src/settlement/settlement-alerts.ts';

const masters = ['node_master-1', 'node_master-2', 'node_master-3'].map((id) => {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const raw = publicKey.export({ format: 'der', type: 'spki' }).subarray(-32);
  return { id, publicKeyHex: Buffer.from(raw).toString('hex'), privateKey };
});

/** A three-master log with an empty epoch 1 closed: enough to sign, disagree and recover. */
class Log {
  readonly state = emptyState();
  readonly entries: Entry[] = [];
  #time = 1_767_225_600_000;

  append(event: ProtocolEvent): string {
    this.#time += 1000;
    const entry = sealEntry(this.state.head ?? undefined, {
      time_ms: this.#time,
      epoch_id: event.type === 'genesis' ? 1 : this.state.current_epoch,
      origin: 'node_master-1',
      event,
    }) as Entry;
    this.entries.push(entry);
    return apply(this.state, entry).kind;
  }

  sign(master: number, statement: SettlementStatement): string {
    const m = masters[master]!;
    const signature = sign(null, digestBytes(statementHash(statement)), m.privateKey).toString('hex');
    return this.append({ type: 'settlement_signed', master_id: m.id, statement, signature });
  }
}

function closedEpoch(): Log {
  const price = { base: '1000', per_record: '10', per_fuel_kilo: '1', per_round_vault: '100' };
  const log = new Log();
  log.append({
    type: 'genesis',
    network_id: 'scs-alerts',
    masters: masters.map((m) => ({ node_id: m.id, public_key: m.publicKeyHex, operator: `act_op-${m.id.slice(5)}` })),
    treasury_account: 'act_treasury',
    parameters: {
      schema_version: 1,
      policy_version: 1,
      effective_from_epoch: 1,
      epoch_length_ms: 3_600_000,
      challenge_window_ms: 0,
      settlement_quorum: 2,
      k_min: 5,
      reward_split_bps: { data_producer: 4000, vault_operator: 2000, executor: 2000, verifier: 1000, treasury: 1000 },
      pricing: { parse: price, query: price, compute: price, train: price },
      min_stake: { executor: '100000', verifier: '100000', master: '1000000' },
      slash_bps: 1000,
      challenge_bond: '500',
      challenge_requires_approval: false,
    },
    semantic_domains: [],
  });
  assert.equal(log.append({ type: 'epoch_closed', epoch_id: 1, trigger: 'manual' }), 'applied');
  return log;
}

describe('settlement failure alert', () => {
  it('names the epoch, the reason, who agreed and who dissented, and the recovery', () => {
    const net = closedEpoch();
    const good = net.state.settlements[1]!.candidate!.statement;
    const other = { ...good, settlement_root: 'f'.repeat(64) };
    assert.equal(net.sign(0, good), 'applied');
    assert.deepEqual(settlementAlertsOf(net.state, net.entries.at(-1)!), []);
    assert.equal(net.sign(1, other), 'applied');
    assert.equal(net.sign(2, other), 'applied');
    assert.equal(net.state.settlements[1]!.state, 'failed');
    const alerts = settlementAlertsOf(net.state, net.entries.at(-1)!);
    assert.deepEqual(alerts, [
      {
        level: 'error',
        alert: 'settlement_failed',
        epoch_id: 1,
        attempt: 1,
        reason: 'no_quorum',
        seq: net.entries.at(-1)!.seq,
        matching: ['node_master-1'],
        dissenting: ['node_master-2', 'node_master-3'],
        recovery: SETTLEMENT_RECOVERY,
      },
    ]);
    assert.deepEqual(settlementFailureFigures(net.state), { failedEpochs: 1, failuresTotal: 1 });

    assert.equal(net.append({ type: 'settlement_retried', epoch_id: 1 }), 'applied');
    assert.deepEqual(settlementAlertsOf(net.state, net.entries.at(-1)!), []);
    const rebuilt = net.state.settlements[1]!.candidate!.statement;
    assert.equal(rebuilt.attempt, 2);
    assert.equal(net.sign(0, rebuilt), 'applied');
    assert.equal(net.sign(1, rebuilt), 'applied');
    assert.equal(net.state.settlements[1]!.state, 'finalized');
    assert.equal(net.state.settlements[1]!.attempt, 2);
    assert.deepEqual(settlementFailureFigures(net.state), { failedEpochs: 0, failuresTotal: 1 });
  });
});
