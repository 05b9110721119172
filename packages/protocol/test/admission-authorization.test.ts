import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  authorizeTask,
  checkDelegation,
  type DelegationCredential,
  delegationHash,
  delegationSigningBytes,
  specAttributes,
  type TaskClass,
  type TaskEnvelope,
  type VaultGrant,
} from '../src/index.ts';
import { NetworkFixture, seededKey } from './support/network-fixture.ts';

const ATTRS = ['category', 'city', 'merchant', 'total_amount'] as const;
const VAULTS = ['vlt_a1', 'vlt_a2', 'vlt_b1'] as const;
const CLASSES: TaskClass[] = ['compute', 'query'];

/** A network with registered actors: a funded submitter, staked executors (the Vault operators). */
function identityNetwork(opts: { stake?: string; balance?: string } = {}): NetworkFixture {
  const net = new NetworkFixture().genesis().enterpriseNode('node_ent-a', ['vlt_a1', 'vlt_a2']);
  net.enterpriseNode('node_ent-b', ['vlt_b1']);
  const register = (actor_id: string, roles: ('task_submitter' | 'vault_operator' | 'executor')[]) =>
    net.must({ type: 'actor_registered', actor_id, roles, public_key: seededKey(actor_id).publicKeyHex });
  register('act_brand', ['task_submitter']);
  register('act_agent', ['task_submitter']);
  register('act_op-ent-a', ['executor', 'vault_operator']);
  register('act_op-ent-b', ['executor', 'vault_operator']);
  net.must({ type: 'account_funded', actor_id: 'act_brand', account: 'balance', amount: opts.balance ?? '150000' });
  for (const op of ['act_op-ent-a', 'act_op-ent-b'])
    net.must({ type: 'account_funded', actor_id: op, account: 'stake', amount: opts.stake ?? '100000' });
  return net;
}

function grant(net: NetworkFixture, g: Partial<VaultGrant> & { grant_id: string; vault_id: string }): void {
  const issuer = net.state.vaults[g.vault_id]!.operator;
  net.must({
    type: 'vault_grant_issued',
    grant: {
      schema_version: 1,
      issuer,
      grantee: 'act_brand',
      task_classes: ['compute'],
      domain: 'commerce.receipt',
      attributes: ['category', 'total_amount'],
      ...g,
    },
  });
}

describe('admission authorization in the reducer', () => {
  it('admits a granted, funded task and escrows its maximum fee until settlement', () => {
    const net = identityNetwork();
    grant(net, { grant_id: 'grt_a1', vault_id: 'vlt_a1' });
    const env = net.envelope('tsk_ok', ['vlt_a1'], { authorization: { grant_ids: ['grt_a1'] } });
    assert.equal(net.admit(env).kind, 'applied');
    // 150000 balance, 100000 escrowed: a second task of 100000 no longer fits.
    const second = net.envelope('tsk_two', ['vlt_a1'], { authorization: { grant_ids: ['grt_a1'] } });
    const refused = net.admit(second);
    assert.equal(refused.kind, 'ignored');
    assert.equal(refused.kind === 'ignored' && refused.refusal.code, 'insufficient_budget');
    assert.equal(net.state.tasks.tsk_two, undefined);
  });

  const denials: [string, (net: NetworkFixture) => TaskEnvelope][] = [
    ['unknown_actor', (net) => net.envelope('tsk_x', ['vlt_a1'], { submitter: 'act_stranger' })],
    [
      'vault_not_granted',
      (net) => net.envelope('tsk_x', ['vlt_a1', 'vlt_b1'], { authorization: { grant_ids: ['grt_a1'] } }),
    ],
    [
      'vault_not_granted',
      (net) =>
        net.envelope('tsk_x', ['vlt_a1'], {
          authorization: { grant_ids: ['grt_a1'] },
          semantic: {
            domain: 'commerce.receipt',
            semantic_version: '1.0.0',
            attributes: ['category', 'city', 'total_amount'],
          },
        }),
    ],
    [
      'attribute_not_declared',
      (net) =>
        net.envelope('tsk_x', ['vlt_a1'], {
          authorization: { grant_ids: ['grt_a1'] },
          spec: { kind: 'compute', program: { type: 'builtin', operator: 'sum', attribute: 'city' }, filter: [] },
        }),
    ],
    ['vault_not_granted', (net) => net.envelope('tsk_x', ['vlt_a1'], { class: 'query', spec: querySpec([]) })],
    ['unknown_grant', (net) => net.envelope('tsk_x', ['vlt_a1'], { authorization: { grant_ids: ['grt_nope'] } })],
    [
      'insufficient_budget',
      (net) =>
        net.envelope('tsk_x', ['vlt_a1'], { authorization: { grant_ids: ['grt_a1'] }, budget: { max_fee: '150001' } }),
    ],
  ];
  for (const [code, build] of denials) {
    it(`refuses ${code} and leaves no task behind`, () => {
      const net = identityNetwork();
      grant(net, { grant_id: 'grt_a1', vault_id: 'vlt_a1' });
      const outcome = net.admit(build(net));
      assert.equal(outcome.kind === 'ignored' && outcome.refusal.code, code);
      assert.deepEqual(net.state.tasks, {});
    });
  }

  it('refuses a revoked grant and a wrong role', () => {
    const net = identityNetwork();
    grant(net, { grant_id: 'grt_a1', vault_id: 'vlt_a1' });
    net.must({ type: 'vault_grant_revoked', grant_id: 'grt_a1', revoked_by: 'act_op-ent-a' });
    const revoked = net.admit(net.envelope('tsk_x', ['vlt_a1'], { authorization: { grant_ids: ['grt_a1'] } }));
    assert.equal(revoked.kind === 'ignored' && revoked.refusal.code, 'unknown_grant');
    const wrongRole = net.admit(net.envelope('tsk_y', ['vlt_a1'], { submitter: 'act_op-ent-a' }));
    assert.equal(wrongRole.kind === 'ignored' && wrongRole.refusal.code, 'wrong_role');
  });

  it('refuses a task whose executor is below the minimum stake of its policy version', () => {
    const net = identityNetwork({ stake: '99999' });
    grant(net, { grant_id: 'grt_a1', vault_id: 'vlt_a1' });
    const outcome = net.admit(net.envelope('tsk_x', ['vlt_a1'], { authorization: { grant_ids: ['grt_a1'] } }));
    assert.equal(outcome.kind === 'ignored' && outcome.refusal.code, 'executor_understaked');
  });

  it('refuses a verification decision from a verifier below the minimum stake', () => {
    const net = identityNetwork();
    grant(net, { grant_id: 'grt_a1', vault_id: 'vlt_a1' });
    assert.equal(
      net.admit(net.envelope('tsk_v', ['vlt_a1'], { authorization: { grant_ids: ['grt_a1'] } })).kind,
      'applied',
    );
    net.must({ type: 'task_resolution_started', task_id: 'tsk_v' });
    assert.equal(net.dispatch('tsk_v').kind, 'applied');
    net.must({ type: 'execution_receipt_recorded', receipt: net.receipt('tsk_v') });
    const verifier = net.masters[1]!.operator;
    net.must({
      type: 'actor_registered',
      actor_id: verifier,
      roles: ['verifier'],
      public_key: net.masters[1]!.key.publicKeyHex,
    });
    const unstaked = net.append({ type: 'verification_decided', decision: net.decision('tsk_v', 'accepted') });
    assert.equal(unstaked.kind === 'ignored' && unstaked.refusal.code, 'verifier_understaked');
    net.must({ type: 'account_funded', actor_id: verifier, account: 'stake', amount: '100000' });
    assert.equal(
      net.append({ type: 'verification_decided', decision: net.decision('tsk_v', 'accepted') }).kind,
      'applied',
    );
  });

  it('only the Vault operator issues and revokes grants for its Vault', () => {
    const net = identityNetwork();
    const outcome = net.append({
      type: 'vault_grant_issued',
      grant: {
        schema_version: 1,
        grant_id: 'grt_forged',
        vault_id: 'vlt_a1',
        issuer: 'act_op-ent-b',
        grantee: 'act_brand',
        task_classes: ['compute'],
        domain: 'commerce.receipt',
        attributes: ['total_amount'],
      },
    });
    assert.equal(outcome.kind === 'ignored' && outcome.refusal.code, 'not_vault_operator');
  });
});

function querySpec(group_by: string[]): TaskEnvelope['spec'] {
  return { kind: 'query', filter: [], group_by, aggregates: [{ fn: 'count_distinct_subjects' }] };
}

describe('delegation credentials', () => {
  const user = seededKey('act_brand');
  const credential = (over: Partial<DelegationCredential> = {}): DelegationCredential => ({
    schema_version: 1,
    principal: 'act_brand',
    agent: 'act_agent',
    vault_ids: ['vlt_a1'],
    task_classes: ['compute'],
    consent_scopes: ['analytics'],
    expires_at_ms: 10_000_000_000_000,
    max_spend: '100000',
    nonce: '00112233445566778899',
    ...over,
  });
  const use = {
    agent: 'act_agent',
    class: 'compute',
    vault_ids: ['vlt_a1'],
    consent_scope: 'analytics',
    max_fee: '1000',
    now_ms: 1,
  };
  const sign = (c: DelegationCredential) => ({ credential: c, signature: user.sign(delegationSigningBytes(c)) });

  it('verifies offline from the registry, and refuses expiry, scope, spend, forgery and revocation', () => {
    const net = identityNetwork();
    assert.equal(checkDelegation(net.state, sign(credential()), use), undefined);
    const code = (r: ReturnType<typeof checkDelegation>) => r?.code;
    assert.equal(code(checkDelegation(net.state, sign(credential({ expires_at_ms: 1 })), use)), 'delegation_expired');
    assert.equal(
      code(checkDelegation(net.state, sign(credential()), { ...use, vault_ids: ['vlt_b1'] })),
      'delegation_out_of_scope',
    );
    assert.equal(
      code(checkDelegation(net.state, sign(credential()), { ...use, class: 'train' })),
      'delegation_out_of_scope',
    );
    assert.equal(
      code(checkDelegation(net.state, sign(credential()), { ...use, max_fee: '100001' })),
      'delegation_spend_exceeded',
    );
    assert.equal(
      code(checkDelegation(net.state, sign(credential()), { ...use, agent: 'act_other' })),
      'delegation_wrong_agent',
    );
    const forged = {
      credential: credential(),
      signature: seededKey('act_agent').sign(delegationSigningBytes(credential())),
    };
    assert.equal(code(checkDelegation(net.state, forged, use)), 'bad_delegation_signature');
    net.must({ type: 'delegation_revoked', principal: 'act_brand', credential_hash: delegationHash(credential()) });
    assert.equal(code(checkDelegation(net.state, sign(credential()), use)), 'delegation_revoked');
  });

  it('caps spend cumulatively in the reducer: tasks under one credential together stay within max_spend', () => {
    // The agent submits; the principal (act_brand) pays. Its balance is large: only the cap binds.
    const net = identityNetwork({ balance: '10000000' });
    grant(net, { grant_id: 'grt_a1', vault_id: 'vlt_a1' });
    const signed = sign(credential({ max_spend: '150000' }));
    const delegated = (task_id: string, max_fee: string, over: Partial<TaskEnvelope['delegation']> = {}) =>
      net.envelope(task_id, ['vlt_a1'], {
        submitter: 'act_agent',
        authorization: { grant_ids: ['grt_a1'] },
        budget: { max_fee },
        delegation: { principal: 'act_brand', credential_hash: delegationHash(signed.credential), signed, ...over },
      });
    assert.equal(net.admit(delegated('tsk_d1', '100000')).kind, 'applied');
    // Each task alone is within the cap; together they are not, whichever master admitted them.
    const over = net.admit(delegated('tsk_d2', '60000'));
    assert.equal(over.kind, 'ignored');
    assert.equal(over.kind === 'ignored' && over.refusal.code, 'delegation_spend_exceeded');
    assert.equal(net.state.tasks.tsk_d2, undefined);
    assert.equal(net.admit(delegated('tsk_d3', '50000')).kind, 'applied');
    // A delegated envelope must carry the credential it names, intact.
    const { signed: _dropped, ...bare } = delegated('tsk_d4', '1').delegation!;
    const missing = net.admit({ ...delegated('tsk_d4', '1'), delegation: bare });
    assert.equal(missing.kind === 'ignored' && missing.refusal.code, 'delegation_missing');
    const other = sign(credential({ max_spend: '900000000' }));
    const swapped = net.admit(delegated('tsk_d5', '1', { signed: other }));
    assert.equal(swapped.kind === 'ignored' && swapped.refusal.code, 'bad_delegation_signature');
  });
});

describe('property: admission never admits a task outside its grants', () => {
  const subset = <T>(xs: readonly T[]) => fc.subarray([...xs], { minLength: 1 });
  const grantArb = fc.record({
    vault_id: fc.constantFrom(...VAULTS),
    task_classes: subset(CLASSES),
    attributes: subset(ATTRS),
    grantee: fc.constantFrom('act_brand', 'act_agent'),
    revoked: fc.boolean(),
  });
  const taskArb = fc.record({
    vault_ids: subset(VAULTS),
    class: fc.constantFrom(...CLASSES),
    attributes: subset(ATTRS),
    readAttr: fc.constantFrom(...ATTRS),
    useGrants: fc.boolean(),
  });

  it('every admitted task is covered, per target Vault, by a live grant of its class and attributes', () => {
    fc.assert(
      fc.property(fc.array(grantArb, { maxLength: 6 }), taskArb, (grants, task) => {
        const net = identityNetwork({ balance: '10000000' });
        grants.forEach((g, i) => {
          const grant_id = `grt_${i}`;
          grant(net, {
            grant_id,
            vault_id: g.vault_id,
            grantee: g.grantee,
            task_classes: [...g.task_classes].sort() as TaskClass[],
            attributes: [...g.attributes].sort(),
          });
          if (g.revoked)
            net.must({ type: 'vault_grant_revoked', grant_id, revoked_by: net.state.vaults[g.vault_id]!.operator });
        });
        const spec: TaskEnvelope['spec'] =
          task.class === 'query'
            ? querySpec([task.readAttr])
            : { kind: 'compute', program: { type: 'builtin', operator: 'sum', attribute: task.readAttr }, filter: [] };
        const env = net.envelope('tsk_prop', task.vault_ids, {
          class: task.class,
          spec,
          semantic: { domain: 'commerce.receipt', semantic_version: '1.0.0', attributes: [...task.attributes].sort() },
          authorization: { grant_ids: task.useGrants ? Object.keys(net.state.grants).sort() : [] },
        });
        const refusal = authorizeTask(net.state, env);
        const outcome = net.admit(env);
        assert.equal(outcome.kind === 'applied', refusal === undefined);
        if (outcome.kind !== 'applied') {
          assert.equal(net.state.tasks.tsk_prop, undefined);
          return;
        }
        const read = new Set([...env.semantic.attributes, ...specAttributes(env.spec)]);
        for (const vault of env.targets.vault_ids) {
          const covering = Object.values(net.state.grants).filter(
            (g) =>
              g.vault_id === vault &&
              g.grantee === env.submitter &&
              g.revoked_seq === undefined &&
              env.authorization.grant_ids.includes(g.grant_id) &&
              g.task_classes.includes(env.class) &&
              [...read].every((a) => g.attributes.includes(a)),
          );
          assert.ok(covering.length > 0, `admitted ${vault} without a covering grant`);
        }
      }),
      { numRuns: 150 },
    );
  });
});
