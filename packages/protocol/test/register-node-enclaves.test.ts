import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Value } from 'typebox/value';
import { AttestationEvidence, evidenceHash, NodeRegisteredEvent, stateHash } from '../src/index.ts';
import { fakeDigest, NetworkFixture, seededKey } from './support/network-fixture.ts';

const enclave = {
  provider: 'simulated' as const,
  measurement: fakeDigest('enclave/v1'),
  enclave_public_key: seededKey('enclave').publicKeyHex,
};

describe('node registration records each enclave measurement', () => {
  it('stores the enclaves of a node in the state', () => {
    const net = new NetworkFixture().genesis();
    const before = stateHash(net.state);
    const outcome = net.append({
      type: 'node_registered',
      node_id: 'node_e1',
      kind: 'enterprise',
      public_key: seededKey('node_e1').publicKeyHex,
      operator: 'act_op-e1',
      enclaves: [enclave],
    });
    assert.equal(outcome.kind, 'applied');
    assert.deepEqual(net.state.enterprise_nodes.node_e1?.enclaves, [enclave]);
    assert.notEqual(stateHash(net.state), before);
  });

  it('refuses the same measurement twice and registers nothing', () => {
    const net = new NetworkFixture().genesis();
    const outcome = net.append({
      type: 'node_registered',
      node_id: 'node_e1',
      kind: 'enterprise',
      public_key: seededKey('node_e1').publicKeyHex,
      operator: 'act_op-e1',
      enclaves: [enclave, { ...enclave, enclave_public_key: seededKey('other').publicKeyHex }],
    });
    assert.equal(outcome.kind, 'ignored');
    assert.equal(outcome.kind === 'ignored' && outcome.refusal.code, 'duplicate_enclave');
    assert.equal(net.state.enterprise_nodes.node_e1, undefined);
  });

  it('keeps registrations without enclaves valid (older logs still fold)', () => {
    const event = {
      type: 'node_registered',
      node_id: 'node_e1',
      kind: 'enterprise',
      public_key: seededKey('node_e1').publicKeyHex,
      operator: 'act_op-e1',
    };
    assert.ok(Value.Check(NodeRegisteredEvent, event));
    assert.ok(!Value.Check(NodeRegisteredEvent, { ...event, enclaves: [{ ...enclave, provider: 'sev' }] }));
  });

  it('hashes evidence over every field, so one changed byte changes the hash', () => {
    const evidence: AttestationEvidence = {
      schema_version: 1,
      ...enclave,
      report_data: fakeDigest('transcript'),
      body: 'ab'.repeat(64),
    };
    assert.ok(Value.Check(AttestationEvidence, evidence));
    assert.notEqual(evidenceHash(evidence), evidenceHash({ ...evidence, body: `ac${'ab'.repeat(63)}` }));
  });
});
