/**
 * Compute programs that derive per-subject features: the features are written back into the Vault
 * as new sealed records linked to the task, the submitter gets only the released aggregate and the
 * count written, a later task reads the features, and their values appear nowhere outside the
 * Vault node (no database table in plaintext, no log entry, no bus message, no result). Program
 * approval is a protocol event signed by the Vault's node: an unknown program is refused, an
 * approved one runs, a revoked one is refused again.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { MemoryBroker } from '../../src/adapters/memory-bus.ts';
import { MemoryKeyring } from '../../src/adapters/memory-keyring.ts';
import type { PgliteStore } from '../../src/adapters/pglite-store.ts';
import { type EmbeddedNetwork, openEmbeddedNetwork } from '../../src/roles/embedded-network.ts';
import type { EnterpriseNode } from '../../src/roles/enterprise.ts';
import { COMMERCE_RECEIPT_V1 } from '../../src/semantic/starter-registry.ts';
import { codeHashOf, sandboxComputeRequest } from '../support/compute-requests.ts';
import { grantConsents } from '../support/consent.ts';
import { openTestPglite } from '../support/pglite.ts';
import { waitFor } from '../support/wait.ts';

const V = 'vlt_lioncity-app';
/** What every derived feature value starts with; the programs build it from parts, so their sources never hold it. */
const MARK = 'TIERMARK';
const hashOf = codeHashOf;

const deriving = `export default function run(rows) {
  const spend = {};
  for (const r of rows) {
    if (r.fields.total_amount == null) continue;
    spend[r.subject] = (spend[r.subject] || 0) + Number(r.fields.total_amount);
  }
  const derived = Object.keys(spend).sort().map((subject) => ({
    subject,
    features: { spend_tier: 'TIER' + 'MARK-' + (spend[subject] >= 30 ? 'gold' : 'silver') },
  }));
  return { release: { subjects: derived.length }, derived };
}`;
const reading = `export default function run(rows) {
  const tiered = new Set();
  let gold = 0;
  for (const r of rows) {
    if (r.fields.spend_tier == null) continue;
    tiered.add(r.subject);
    if (r.fields.spend_tier === 'TIER' + 'MARK-gold') gold++;
  }
  return { tiered_subjects: tiered.size, gold_records: gold };
}`;
const outOfShape = `export default function run(rows) {
  return { release: 1, derived: [{ subject: 'act_not-an-input', features: { spend_tier: 'x' } }] };
}`;

describe('derived features stay in the Vault; program approval is a protocol event', () => {
  let store: PgliteStore;
  let net: EmbeddedNetwork;
  let lioncity: EnterpriseNode;
  const wire: string[] = [];
  const broker = new MemoryBroker();
  const route = broker.route.bind(broker);
  broker.route = (subject, data, reply) => {
    wire.push(data);
    return route(
      subject,
      data,
      reply &&
        ((text: string) => {
          wire.push(text);
          reply(text);
        }),
    );
  };
  const state = () => net.coordinator.follower.state;

  const request = (source: string, derives?: string[]) =>
    sandboxComputeRequest(source, {
      vault_id: V,
      semantic_version: '1.1.0',
      attributes: ['category', 'spend_tier', 'total_amount'],
      ...(derives ? { derives } : {}),
    });

  async function run(source: string, derives?: string[]) {
    const { task } = await net.coordinator.service.submitTask(request(source, derives));
    const s = () => state().tasks[task.task_id]?.state;
    await waitFor(() => s() === 'awaiting_settlement' || s() === 'rejected', `task ${task.task_id} executed`, 60_000);
    return state().tasks[task.task_id]!;
  }

  before(async () => {
    store = await openTestPglite();
    net = await openEmbeddedNetwork({ store, keyring: new MemoryKeyring(), broker, pollIntervalMs: 20 });
    lioncity = net.enterprises.find((e) => e.nodeId === 'node_lioncity')!;
    // Governance adds the feature attribute in a minor version (1.0.0 tasks resolve as before).
    const published = await net.coordinator.writer.append({
      type: 'semantic_domain_published',
      domain: {
        ...COMMERCE_RECEIPT_V1,
        semantic_version: '1.1.0',
        attributes: [
          ...COMMERCE_RECEIPT_V1.attributes,
          { name: 'spend_tier', type: 'category', sensitivity: 'personal', aggregations: ['count', 'filter'] },
        ],
      },
    });
    assert.equal(published.kind, 'applied');
    const now = Date.now();
    await net.coordinator.service.ingest(V, {
      records: Array.from({ length: 30 }, (_, i) => ({
        subject: `act_sub-${i % 6}`,
        fields: {
          merchant: `Shop ${i % 3}`,
          category: 'coffee',
          city: 'Singapore',
          total_amount: `${(i % 7) + 3}.50`,
          purchased_at: new Date(now - (i + 1) * 3_600_000).toISOString(),
        },
      })),
    });
    await grantConsents(
      net.coordinator.service,
      V,
      Array.from({ length: 6 }, (_, i) => `act_sub-${i}`),
    );
  });
  after(async () => {
    await net?.close();
    await store?.close();
  });

  it('refuses a program its Vault never approved', async () => {
    const t = await run(deriving, ['spend_tier']);
    assert.equal(t.state, 'rejected');
    assert.equal(t.reason_code, 'program_not_approved');
  });

  it('logs an approval signed by the Vault node, refuses approving twice', async () => {
    const decided = await lioncity.decideProgram(V, 'approve', hashOf(deriving));
    const entry = await net.coordinator.follower.entryAt(decided.seq);
    assert.equal(entry?.event.type, 'program_approved');
    assert.equal(entry?.origin, 'node_lioncity');
    await assert.rejects(lioncity.decideProgram(V, 'approve', hashOf(deriving)), { code: 'program_already_approved' });
    await lioncity.decideProgram(V, 'approve', hashOf(reading));
    await lioncity.decideProgram(V, 'approve', hashOf(outOfShape));
  });

  it('writes derived features back as sealed records linked to the task; the submitter gets only the count', async () => {
    const before = await lioncity.records.count(V);
    const t = await run(deriving, ['spend_tier']);
    assert.equal(t.state, 'awaiting_settlement', t.reason_code);
    const result = await net.coordinator.service.taskResult(t.task_id);
    assert.deepEqual(result.output, { release: { subjects: 6 }, derived_records_written: 6 });
    assert.equal(await lioncity.records.count(V), before + 6);
    // Verified by re-execution: the replay derived the same features (the transcript's keyed digest).
    assert.equal(result.verified, true);
  });

  it('lets a later task read the derived features', async () => {
    const t = await run(reading);
    assert.equal(t.state, 'awaiting_settlement', t.reason_code);
    const { output } = await net.coordinator.service.taskResult(t.task_id);
    const o = output as { tiered_subjects: number; gold_records: number };
    assert.equal(o.tiered_subjects, 6);
    assert.ok(o.gold_records >= 1 && o.gold_records <= 6);
  });

  it('refuses derived features in the wrong shape, writing nothing', async () => {
    const before = await lioncity.records.count(V);
    const t = await run(outOfShape, ['spend_tier']);
    assert.equal(t.state, 'rejected');
    assert.equal(t.reason_code, 'derived_invalid');
    assert.equal(await lioncity.records.count(V), before);
  });

  it('keeps the feature values inside the Vault node: no table, log entry or bus message holds them', async () => {
    const tables = await store.query<{ schema: string; name: string }>(
      `select table_schema as schema, table_name as name from information_schema.tables
        where table_schema not in ('pg_catalog', 'information_schema') and table_type = 'BASE TABLE'`,
    );
    assert.ok(tables.length > 5, `only ${tables.length} tables`);
    for (const t of tables) {
      const rows = await store.query<{ row: string }>(`select x::text as row from "${t.schema}"."${t.name}" x`);
      for (const r of rows) assert.ok(!r.row.includes(MARK), `${t.schema}.${t.name} holds a feature value`);
    }
    // The tap saw the executions and their replies (the released count travels, the features do not).
    assert.ok(
      wire.some((m) => m.includes('derived_records_written')),
      `the tap saw no execution reply in ${wire.length} messages`,
    );
    assert.deepEqual(
      wire.filter((m) => m.includes(MARK)),
      [],
      'a bus message carries a feature value',
    );
  });

  it('refuses a revoked program for tasks admitted after the revocation', async () => {
    const decided = await lioncity.decideProgram(V, 'revoke', hashOf(deriving));
    assert.equal((await net.coordinator.follower.entryAt(decided.seq))?.event.type, 'program_revoked');
    const t = await run(deriving, ['spend_tier']);
    assert.equal(t.state, 'rejected');
    assert.equal(t.reason_code, 'program_not_approved');
  });
});
