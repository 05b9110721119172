/**
 * The reducer's release decision for queries: a granted release charges every pseudonym read;
 * one that would pass a subject's budget (or repeat a near-identical subject set) ends the task
 * `rejected` with its reason and charges nothing; stale, duplicate and non-query releases are
 * refused. Participation acceptances need the Vault node's signature and close at dispatch.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  defaultQueryPolicy,
  digestBytes,
  parameterSetProblems,
  participationHash,
  queryPolicyOf,
  spent,
  type TaskEnvelope,
  windowOf,
} from '../src/index.ts';
import { defaultParameters, NetworkFixture } from './support/network-fixture.ts';

const P = (i: number) => i.toString(16).padStart(32, '0');
const querySpec: TaskEnvelope['spec'] = {
  kind: 'query',
  filter: [],
  group_by: [],
  aggregates: [{ fn: 'count_distinct_subjects' }],
};

function network(parameters = defaultParameters()) {
  const net = new NetworkFixture().genesis(parameters).enterpriseNode('node_ent-a', ['vlt_a1']);
  let n = 0;
  const query = (submitter = 'act_brand') => {
    const task_id = `tsk_q${n++}`;
    net.admit(net.envelope(task_id, ['vlt_a1'], { class: 'query', submitter, spec: querySpec }));
    net.must({ type: 'task_resolution_started', task_id });
    net.dispatch(task_id);
    return task_id;
  };
  const release = (task_id: string, charged: string[], sets = [charged], attempt = 1) =>
    net.append({
      type: 'query_release_decided',
      task_id,
      attempt,
      scope: 'analytics',
      charged,
      released_sets: sets,
    });
  return { net, query, release };
}

describe('query_release_decided', () => {
  it('charges every subject read, then rejects whole the release that would pass a budget', () => {
    const { net, query, release } = network();
    const policy = defaultQueryPolicy(net.state.parameter_history[0]!.k_min);
    const perWindow = policy.budget_micro / policy.epsilon_micro;
    const subjects = Array.from({ length: 10 }, (_, i) => P(i));
    for (let i = 0; i < perWindow; i++) {
      const t = query(`act_brand-${i}`);
      assert.equal(release(t, subjects).kind, 'applied');
      assert.equal(net.state.tasks[t]!.release?.outcome, 'granted');
    }
    const w = windowOf(net.state.current_epoch, policy.window_epochs);
    assert.equal(spent(net.state.privacy!.ledger, 'analytics', w, P(3)), policy.budget_micro);
    const before = structuredClone(net.state.privacy);
    // One subject over budget among fresh ones: nothing is charged to anyone.
    const t = query('act_brand-late');
    assert.equal(release(t, [P(3), P(100), P(101), P(102), P(103)]).kind, 'applied');
    assert.equal(net.state.tasks[t]!.state, 'rejected');
    assert.equal(net.state.tasks[t]!.reason_code, 'privacy_budget_exhausted');
    assert.deepEqual(net.state.privacy, before);
  });

  it('rejects a near-identical subject set from the same submitter (differencing)', () => {
    const { net, query, release } = network();
    const cohort = Array.from({ length: 20 }, (_, i) => P(i));
    assert.equal(release(query(), cohort).kind, 'applied');
    const t = query();
    release(t, cohort.slice(1));
    assert.equal(net.state.tasks[t]!.reason_code, 'differencing_suspected');
    const other = query('act_someone-else');
    release(other, cohort.slice(1));
    assert.equal(net.state.tasks[other]!.release?.outcome, 'granted', 'another submitter group is not compared');
  });

  it("reads ε, budget and submitter groups from the pinned policy_version's query block", () => {
    const { net, query, release } = network(
      defaultParameters({
        query: {
          epsilon_micro: 300_000,
          budget_micro: 500_000,
          submitter_groups: { 'act_brand-a': 'org', 'act_brand-b': 'org' },
        },
      }),
    );
    // Absent block or field: the protocol default.
    assert.deepEqual(queryPolicyOf(defaultParameters()), defaultQueryPolicy(defaultParameters().k_min));
    assert.equal(queryPolicyOf(defaultParameters({ query: { window_epochs: 24 } })).budget_micro, 1_000_000);
    assert.deepEqual(parameterSetProblems(defaultParameters({ query: { epsilon_micro: 2, budget_micro: 1 } }), 3), [
      'query.epsilon_micro 2 exceeds query.budget_micro 1',
    ]);
    const cohort = Array.from({ length: 20 }, (_, i) => P(i));
    const first = query('act_brand-a');
    release(first, cohort);
    assert.equal(net.state.tasks[first]!.release?.epsilon_micro, 300_000);
    const w = windowOf(net.state.current_epoch, defaultQueryPolicy(1).window_epochs);
    assert.equal(spent(net.state.privacy!.ledger, 'analytics', w, P(0)), 300_000);
    // The policy groups a and b: b's near-identical set is a differencing attempt.
    const grouped = query('act_brand-b');
    release(grouped, cohort.slice(1));
    assert.equal(net.state.tasks[grouped]!.reason_code, 'differencing_suspected');
    // Another 0.3 on the 0.3 spent would pass the policy's budget of 0.5 (the default 1.0 allows it).
    const again = query('act_brand-c');
    release(again, cohort);
    assert.equal(net.state.tasks[again]!.reason_code, 'privacy_budget_exhausted');
  });

  it('refuses stale, repeated and non-query releases', () => {
    const { net, query, release } = network();
    const t = query();
    assert.equal(release(t, [P(1)], [[P(1)]], 2).kind, 'ignored');
    assert.equal(release(t, [P(1)]).kind, 'applied');
    assert.equal(release(t, [P(1)]).kind, 'ignored');
    net.admit(net.envelope('tsk_compute', ['vlt_a1']));
    net.must({ type: 'task_resolution_started', task_id: 'tsk_compute' });
    net.dispatch('tsk_compute');
    assert.equal(release('tsk_compute', [P(1)]).kind, 'ignored');
  });

  it('records a signed participation acceptance before dispatch only', () => {
    const net = new NetworkFixture().genesis().enterpriseNode('node_ent-a', ['vlt_a1']);
    net.admit(net.envelope('tsk_p', ['vlt_a1'], { class: 'query', spec: querySpec }));
    const statement = { task_id: 'tsk_p', vault_id: 'vlt_a1', subject: 'act_s1', signer_node: 'node_ent-a' };
    const signature = net.enterprise.get('node_ent-a')!.sign(digestBytes(participationHash(statement)));
    const forged = { ...statement, subject: 'act_s2', signature };
    assert.equal(net.append({ type: 'query_participation_accepted', ...forged }).kind, 'ignored');
    net.must({ type: 'query_participation_accepted', ...statement, signature });
    assert.deepEqual(
      net.state.participation?.tsk_p?.map((p) => p.subject),
      ['act_s1'],
    );
    net.must({ type: 'task_resolution_started', task_id: 'tsk_p' });
    net.dispatch('tsk_p');
    const s3 = { ...statement, subject: 'act_s3' };
    const late = net.append({
      type: 'query_participation_accepted',
      ...s3,
      signature: net.enterprise.get('node_ent-a')!.sign(digestBytes(participationHash(s3))),
    });
    assert.equal(late.kind, 'ignored');
  });
});
