import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  buildMerkleTree,
  canonicalBytes,
  type QuorumCertificate,
  type SettlementProofData,
  settlementProofOf,
  verifyQuorumCertificate,
  verifySettlementProof,
} from '../src/index.ts';
import { NetworkFixture, seededKey } from './support/network-fixture.ts';

function proofsOf(net: NetworkFixture): SettlementProofData[] {
  const s = net.state.settlements[1]!;
  const tree = buildMerkleTree(s.entries.map((e) => canonicalBytes(e)));
  return s.entries.map((e) => settlementProofOf(1, s.entries, tree, e.task_id, s.certificate ?? null)!);
}

const masterKeys = (net: NetworkFixture) => Object.fromEntries(net.masters.map((m) => [m.id, m.key.publicKeyHex]));

describe('settlement inclusion proofs verify offline', () => {
  const net = new NetworkFixture().genesis().enterpriseNode('node_ent-1', ['vlt_a']);
  for (const id of ['tsk_e', 'tsk_a', 'tsk_c', 'tsk_b', 'tsk_d']) net.completeTask(id, ['vlt_a']);
  net.closeEpoch();
  assert.equal(net.sign(1, 0).kind, 'applied');
  assert.equal(net.sign(1, 2).kind, 'applied');
  const s = net.state.settlements[1]!;
  const proofs = proofsOf(net);

  it('every entry of a finalized epoch verifies, with its certificate and the master keys', () => {
    assert.equal(s.state, 'finalized');
    assert.equal(proofs.length, 5);
    for (const p of proofs) {
      assert.equal(p.settlement_root, s.certificate!.statement.settlement_root);
      assert.deepEqual(verifySettlementProof(p), { ok: true });
      assert.deepEqual(verifySettlementProof(p, masterKeys(net)), { ok: true });
    }
    assert.deepEqual(
      proofs.map((p) => p.entry_id),
      ['tsk_a', 'tsk_b', 'tsk_c', 'tsk_d', 'tsk_e'],
    );
  });

  it('a changed fee, refund or contributor in the entry fails inclusion', () => {
    const p = proofs[2]!;
    const fee = { ...p, entry: { ...p.entry, fee: (BigInt(p.entry.fee) + 1n).toString() } };
    assert.equal(reason(verifySettlementProof(fee)), 'inclusion_failed');
    const contributions = p.entry.contributions.map((c, i) => (i === 0 ? { ...c, account: 'act_mallory' } : c));
    assert.equal(reason(verifySettlementProof({ ...p, entry: { ...p.entry, contributions } })), 'inclusion_failed');
  });

  it('an entry shown under another id or epoch, a moved index or a cut path fails', () => {
    const p = proofs[1]!;
    assert.equal(reason(verifySettlementProof({ ...p, entry_id: 'tsk_a' })), 'entry_mismatch');
    assert.equal(reason(verifySettlementProof({ ...p, epoch_id: 2 })), 'entry_mismatch');
    assert.equal(reason(verifySettlementProof({ ...p, leaf_index: 0 })), 'inclusion_failed');
    assert.equal(reason(verifySettlementProof({ ...p, audit_path: p.audit_path.slice(1) })), 'inclusion_failed');
    // An audit path alone does not bind the tree size (index 1 has the same path in 5 and 6 leaves):
    // the signed statement's entry_count does.
    assert.equal(reason(verifySettlementProof({ ...p, tree_size: 6 })), 'certificate_mismatch');
    assert.equal(reason(verifySettlementProof({ ...p, tree_size: 9 })), 'inclusion_failed');
    assert.equal(reason(verifySettlementProof({ ...p, audit_path: ['zz'] })), 'malformed_proof');
    assert.equal(reason(verifySettlementProof(null)), 'malformed_proof');
  });

  it('a certificate for another root or tree size does not vouch for the proof', () => {
    const p = proofs[0]!;
    const qc = p.quorum_certificate!;
    const other = { ...qc, statement: { ...qc.statement, entry_count: 4 } };
    assert.equal(reason(verifySettlementProof({ ...p, quorum_certificate: other })), 'certificate_mismatch');
    assert.equal(
      reason(verifySettlementProof({ ...p, quorum_certificate: null }, masterKeys(net))),
      'certificate_missing',
    );
  });

  it('a certificate verifies only under the genesis keys, with distinct signers reaching the quorum', () => {
    const qc = s.certificate!;
    assert.deepEqual(verifyQuorumCertificate(qc, masterKeys(net)), { ok: true });
    assert.deepEqual(
      verifyQuorumCertificate(
        qc,
        net.masters.map((m) => ({ node_id: m.id, public_key: m.key.publicKeyHex })),
      ),
      { ok: true },
    );
    const forged: QuorumCertificate = { ...qc, statement: { ...qc.statement, rewards_root: 'f'.repeat(64) } };
    assert.equal(reason(verifyQuorumCertificate(forged, masterKeys(net))), 'bad_signature');
    const stranger = { ...masterKeys(net), 'node_master-1': seededKey('stranger').publicKeyHex };
    assert.equal(reason(verifyQuorumCertificate(qc, stranger)), 'bad_signature');
    const one = { ...qc, signatures: [qc.signatures[0]!, qc.signatures[0]!] };
    assert.equal(reason(verifyQuorumCertificate(one, masterKeys(net))), 'duplicate_signer');
    const { 'node_master-3': _, ...twoKeys } = masterKeys(net);
    assert.equal(reason(verifyQuorumCertificate(qc, twoKeys)), 'unknown_master');
    assert.equal(reason(verifyQuorumCertificate(qc, masterKeys(net), { quorum: 3 })), 'below_quorum');
    assert.equal(reason(verifyQuorumCertificate({ ...qc, signatures: [] }, masterKeys(net))), 'malformed_certificate');
    const badQc = { ...proofs[0]!, quorum_certificate: forged };
    assert.equal(reason(verifySettlementProof(badQc, masterKeys(net))), 'certificate_invalid');
  });

  it('before finality the proof carries no certificate and still verifies against the candidate root', () => {
    const open = new NetworkFixture().genesis().enterpriseNode('node_ent-1', ['vlt_a']);
    open.completeTask('tsk_only', ['vlt_a']).closeEpoch();
    const cs = open.state.settlements[1]!;
    assert.equal(cs.state, 'candidate_ready');
    const tree = buildMerkleTree(cs.entries.map((e) => canonicalBytes(e)));
    const p = settlementProofOf(1, cs.entries, tree, 'tsk_only', null)!;
    assert.equal(p.settlement_root, cs.candidate!.statement.settlement_root);
    assert.deepEqual(verifySettlementProof(p), { ok: true });
    assert.equal(settlementProofOf(1, cs.entries, tree, 'tsk_other', null), undefined);
  });
});

function reason(r: { ok: boolean; reason?: string }): string | undefined {
  return r.ok ? 'ok' : r.reason;
}
