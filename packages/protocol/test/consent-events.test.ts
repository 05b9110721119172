/**
 * Consent as protocol log events: only the node hosting the Vault can sign a grant or revocation,
 * a replayed or out-of-order statement is refused, and `consentAdmits` reads the consent as it
 * stood at a task's admission position (changes after it, and lapsed grants, do not count).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  admissionOf,
  attestationHash,
  type ConsentGrant,
  type ConsentRevocation,
  consentAdmits,
  digestBytes,
  envelopeHash as envelopeHashOf,
  scopeStanding,
} from '../src/index.ts';
import { NetworkFixture, seededKey, type TestKey } from './support/network-fixture.ts';

const VAULT = 'vlt_shop';

function setup() {
  return new NetworkFixture().genesis().enterpriseNode('node_e1', [VAULT]).enterpriseNode('node_e2', ['vlt_other']);
}

function grant(
  net: NetworkFixture,
  subject: string,
  revision: number,
  opts: { ttl_ms?: number; key?: TestKey; signer?: string; scope?: ConsentGrant['scope'] } = {},
): ConsentGrant {
  const unsigned = {
    schema_version: 1 as const,
    vault_id: VAULT,
    subject,
    scope: opts.scope ?? ('analytics' as const),
    revision,
    expires_at_ms: net.time_ms + (opts.ttl_ms ?? 3_600_000),
    signer_node: opts.signer ?? 'node_e1',
  };
  const key = opts.key ?? net.enterprise.get('node_e1')!;
  return { ...unsigned, signature: key.sign(digestBytes(attestationHash('consent_grant', unsigned))) };
}

function revocation(net: NetworkFixture, subject: string, revision: number): ConsentRevocation {
  const unsigned = {
    schema_version: 1 as const,
    vault_id: VAULT,
    subject,
    scope: 'analytics' as const,
    revision,
    signer_node: 'node_e1',
  };
  const sig = net.enterprise.get('node_e1')!.sign(digestBytes(attestationHash('consent_revocation', unsigned)));
  return { ...unsigned, signature: sig };
}

const refusal = (outcome: { kind: string; refusal?: { code: string } }) =>
  outcome.kind === 'ignored' ? outcome.refusal?.code : outcome.kind;

describe('consent events', () => {
  it('accepts a grant signed by the Vault node and refuses forged, foreign and replayed ones', () => {
    const net = setup();
    assert.equal(refusal(net.append({ type: 'consent_granted', consents: [grant(net, 'act_ann', 1)] })), 'applied');
    const forged = grant(net, 'act_bob', 1, { key: seededKey('someone-else') });
    assert.equal(refusal(net.append({ type: 'consent_granted', consents: [forged] })), 'bad_signature');
    const foreign = grant(net, 'act_bob', 1, { key: net.enterprise.get('node_e2')!, signer: 'node_e2' });
    assert.equal(refusal(net.append({ type: 'consent_granted', consents: [foreign] })), 'wrong_signer');
    const replay = grant(net, 'act_ann', 1);
    assert.equal(refusal(net.append({ type: 'consent_granted', consents: [replay] })), 'stale_revision');
    const expired = grant(net, 'act_cat', 1, { ttl_ms: 500 });
    assert.equal(refusal(net.append({ type: 'consent_granted', consents: [expired] })), 'consent_expired');
    assert.equal(
      refusal(net.append({ type: 'consent_revoked', revocation: revocation(net, 'act_dan', 1) })),
      'consent_not_found',
    );
    const tampered = { ...grant(net, 'act_eve', 1), expires_at_ms: net.time_ms + 9_999_999 };
    assert.equal(refusal(net.append({ type: 'consent_granted', consents: [tampered] })), 'bad_signature');
  });

  it('applies a batch all or nothing, counting revisions inside the batch', () => {
    const net = setup();
    const head = () => Object.keys(net.state.consents ?? {}).length;
    const bad = grant(net, 'act_bob', 1, { key: seededKey('someone-else') });
    const outcome = net.append({ type: 'consent_granted', consents: [grant(net, 'act_ann', 1), bad] });
    assert.equal(refusal(outcome), 'bad_signature');
    assert.equal(head(), 0, 'the good grant of a refused batch is not applied either');
    net.must({
      type: 'consent_granted',
      consents: [grant(net, 'act_ann', 1), grant(net, 'act_ann', 2), grant(net, 'act_bob', 1)],
    });
    assert.equal(net.state.consents?.['vlt_shop|act_ann|analytics']?.revision, 2);
    const twice = net.append({
      type: 'consent_granted',
      consents: [grant(net, 'act_cat', 1), grant(net, 'act_cat', 1)],
    });
    assert.equal(refusal(twice), 'stale_revision');
  });

  it('evaluates consent at the admission position: a revocation binds later tasks only', () => {
    const net = setup();
    net.must({ type: 'consent_granted', consents: [grant(net, 'act_ann', 1)] });
    net.must({ type: 'consent_granted', consents: [grant(net, 'act_bob', 1, { ttl_ms: 5_000 })] });
    net.must({ type: 'task_admitted', ...admitted(net, 'tsk_before') });
    net.must({ type: 'consent_revoked', revocation: revocation(net, 'act_ann', 2) });
    net.must({ type: 'task_admitted', ...admitted(net, 'tsk_after') }, { advance_ms: 10_000 });
    const before = admissionOf(net.state, 'tsk_before')!;
    const after = admissionOf(net.state, 'tsk_after')!;
    assert.equal(consentAdmits(net.state, VAULT, 'act_ann', 'analytics', before), true);
    assert.equal(consentAdmits(net.state, VAULT, 'act_ann', 'analytics', after), false, 'revoked before admission');
    assert.equal(consentAdmits(net.state, VAULT, 'act_bob', 'analytics', before), true);
    assert.equal(consentAdmits(net.state, VAULT, 'act_bob', 'analytics', after), false, 'lapsed before admission');
    assert.equal(consentAdmits(net.state, VAULT, 'act_ann', 'marketing', before), false, 'another scope');
    assert.equal(consentAdmits(net.state, 'vlt_other', 'act_ann', 'analytics', before), false, 'another Vault');
    assert.equal(consentAdmits(net.state, VAULT, 'act_zed', 'analytics', before), false, 'never consented');
    assert.equal(scopeStanding(net.state, VAULT, 'analytics', before), 'live');
    assert.equal(scopeStanding(net.state, VAULT, 'analytics', after), 'lapsed');
    assert.equal(scopeStanding(net.state, VAULT, 'marketing', after), 'none');
    // A new grant after the revocation carries the next revision and applies to tasks admitted after it.
    net.must({ type: 'consent_granted', consents: [grant(net, 'act_ann', 3)] });
    net.must({ type: 'task_admitted', ...admitted(net, 'tsk_regranted') });
    assert.equal(
      consentAdmits(net.state, VAULT, 'act_ann', 'analytics', admissionOf(net.state, 'tsk_regranted')!),
      true,
    );
    assert.equal(consentAdmits(net.state, VAULT, 'act_ann', 'analytics', after), false, 'history never rewritten');
  });
});

function admitted(net: NetworkFixture, task_id: string) {
  const envelope = net.envelope(task_id, [VAULT], { admitted_at_ms: net.time_ms + 1 });
  return { envelope, envelope_hash: envelopeHashOf(envelope) };
}
