/**
 * Property: for random consent histories (grants with expiries, revocations, re-grants, time
 * passing) and random tasks admitted in between, no record of a subject without a live consent
 * for the task's scope, at the task's admission position, ever reaches an output. The histories
 * go through the real reducer as signed log events; the gate is the one enterprise nodes use
 * (`FollowerConsentOracle`), the filter and operators are the execution path's. An independent
 * model of the history decides which subjects may contribute.
 */
import assert from 'node:assert/strict';
import { createPublicKey, generateKeyPairSync, sign } from 'node:crypto';
import { describe, it } from 'node:test';
import {
  attestationHash,
  digestBytes,
  envelopeHash,
  type ProtocolEvent,
  type TaskEnvelope,
  USAGE_SCOPES,
  type UsageScope,
} from '@symphony/protocol';
import fc from 'fast-check';
import { ManualClock } from '../../src/adapters/manual-clock.ts';
import { MemoryProtocolLog } from '../../src/adapters/memory-protocol-log.ts';
import { FollowerConsentOracle } from '../../src/coordination/follower-consent.ts';
import { LogWriter } from '../../src/coordination/log-writer.ts';
import { StateFollower } from '../../src/coordination/state-follower.ts';
import { keepAdmissible } from '../../src/data/materialize-records.ts';
import { runBuiltin } from '../../src/execution/builtin-operators.ts';
import { DEFAULT_PARAMETERS } from '../../src/roles/network-topology.ts';
import { COMMERCE_RECEIPT_V1 } from '../../src/semantic/starter-registry.ts';

const VAULTS = ['vlt_a', 'vlt_b'] as const;
const SUBJECTS = ['act_s0', 'act_s1', 'act_s2', 'act_s3', 'act_s4', 'act_s5'] as const;
const SCOPES = USAGE_SCOPES.slice(0, 3) as readonly UsageScope[];

function keyPair() {
  const { privateKey } = generateKeyPairSync('ed25519');
  const spki = createPublicKey(privateKey).export({ format: 'der', type: 'spki' });
  return {
    publicKeyHex: Buffer.from(spki.subarray(spki.length - 32)).toString('hex'),
    sign: (digest: string) => sign(null, digestBytes(digest), privateKey).toString('hex'),
  };
}
const nodeKey = keyPair();
const masterKey = keyPair();

type Op =
  | { kind: 'grant'; vault: number; subject: number; scope: number; ttl: number }
  | { kind: 'revoke'; vault: number; subject: number; scope: number }
  | { kind: 'tick'; ms: number }
  | { kind: 'admit'; scope: number; vaults: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({
    kind: fc.constant('grant' as const),
    vault: fc.nat(VAULTS.length - 1),
    subject: fc.nat(SUBJECTS.length - 1),
    scope: fc.nat(SCOPES.length - 1),
    ttl: fc.integer({ min: 1, max: 6000 }),
  }),
  fc.record({
    kind: fc.constant('revoke' as const),
    vault: fc.nat(VAULTS.length - 1),
    subject: fc.nat(SUBJECTS.length - 1),
    scope: fc.nat(SCOPES.length - 1),
  }),
  fc.record({ kind: fc.constant('tick' as const), ms: fc.integer({ min: 0, max: 4000 }) }),
  fc.record({
    kind: fc.constant('admit' as const),
    scope: fc.nat(SCOPES.length - 1),
    vaults: fc.integer({ min: 1, max: 3 }),
  }),
);

const recordArb = fc.record({
  vault: fc.nat(VAULTS.length - 1),
  subject: fc.nat(SUBJECTS.length - 1),
  category: fc.constantFrom('coffee', 'grocery'),
  amount: fc.integer({ min: 1, max: 500 }),
});

type Model = Map<string, { revision: number; live: boolean; expires: number }>;
const key = (v: string, s: string, scope: string) => `${v}/${s}/${scope}`;

async function network(clock: ManualClock) {
  const log = new MemoryProtocolLog();
  const follower = new StateFollower(log);
  const writer = new LogWriter(log, follower, clock, 'node_master-1');
  const must = async (event: ProtocolEvent) => {
    const r = await writer.append(event);
    if (r.kind !== 'applied') throw new Error(`${event.type}: ${r.refusal.message}`);
  };
  await must({
    type: 'genesis',
    network_id: 'prop',
    masters: [{ node_id: 'node_master-1', public_key: masterKey.publicKeyHex, operator: 'act_m1' }],
    treasury_account: 'act_treasury',
    parameters: { ...DEFAULT_PARAMETERS, settlement_quorum: 1 },
    semantic_domains: [COMMERCE_RECEIPT_V1],
  });
  await must({
    type: 'node_registered',
    node_id: 'node_e',
    kind: 'enterprise',
    public_key: nodeKey.publicKeyHex,
    operator: 'act_e',
  });
  for (const vault_id of VAULTS)
    await must({ type: 'vault_registered', vault_id, node_id: 'node_e', operator: 'act_e' });
  return { follower, writer, must };
}

describe('consent: property', () => {
  it('no record of a subject without a live consent at admission ever contributes to an output', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(opArb, { minLength: 1, maxLength: 40 }),
        fc.array(recordArb, { maxLength: 60 }),
        async (ops, recs) => {
          const clock = new ManualClock(1_767_225_600_000);
          const { follower, must } = await network(clock);
          const model: Model = new Map();
          const tasks: { envelope: TaskEnvelope; allowed: Set<string> }[] = [];
          for (const [i, op] of ops.entries()) {
            if (op.kind === 'tick') {
              clock.advance(op.ms);
              continue;
            }
            if (op.kind === 'admit') {
              const vault_ids = VAULTS.filter((_, v) => (op.vaults >> v) & 1);
              const scope = SCOPES[op.scope]!;
              const now = Math.max(clock.now(), follower.state.last_time_ms);
              const envelope: TaskEnvelope = {
                schema_version: 1,
                task_id: `tsk_p${i}`,
                class: 'compute',
                submitter: 'act_brand',
                authorization: { grant_ids: [] },
                consent_scope: scope,
                targets: { vault_ids: [...vault_ids] },
                semantic: { domain: 'commerce.receipt', semantic_version: '1.0.0', attributes: ['category'] },
                policy_version: 1,
                epoch_id: 1,
                budget: { max_fee: '1000' },
                admitted_at_ms: now,
                deadline_ms: now + 60_000,
                spec: { kind: 'compute', program: { type: 'builtin', operator: 'count' }, filter: [] },
              };
              // The model: who may contribute, decided from the issued history alone.
              const allowed = new Set<string>();
              for (const v of vault_ids)
                for (const s of SUBJECTS) {
                  const m = model.get(key(v, s, scope));
                  if (m?.live && m.expires > now) allowed.add(`${v}/${s}`);
                }
              await must({ type: 'task_admitted', envelope, envelope_hash: envelopeHash(envelope) });
              tasks.push({ envelope, allowed });
              continue;
            }
            const vault_id = VAULTS[op.vault]!;
            const subject = SUBJECTS[op.subject]!;
            const scope = SCOPES[op.scope]!;
            const m = model.get(key(vault_id, subject, scope));
            const revision = (m?.revision ?? 0) + 1;
            if (op.kind === 'grant') {
              const expires_at_ms = Math.max(clock.now(), follower.state.last_time_ms) + op.ttl;
              const unsigned = {
                schema_version: 1 as const,
                vault_id,
                subject,
                scope,
                revision,
                expires_at_ms,
                signer_node: 'node_e',
              };
              const consent = { ...unsigned, signature: nodeKey.sign(attestationHash('consent_grant', unsigned)) };
              await must({ type: 'consent_granted', consents: [consent] });
              model.set(key(vault_id, subject, scope), { revision, live: true, expires: expires_at_ms });
            } else if (m) {
              const unsigned = {
                schema_version: 1 as const,
                vault_id,
                subject,
                scope,
                revision,
                signer_node: 'node_e',
              };
              const revocation = {
                ...unsigned,
                signature: nodeKey.sign(attestationHash('consent_revocation', unsigned)),
              };
              await must({ type: 'consent_revoked', revocation });
              model.set(key(vault_id, subject, scope), { revision, live: false, expires: 0 });
            }
          }
          const oracle = new FollowerConsentOracle(follower, 0);
          for (const { envelope, allowed } of tasks) {
            const gate = await oracle.gateFor(envelope);
            const rows = envelope.targets.vault_ids.flatMap((vault_id) =>
              keepAdmissible(
                (subject) => gate.admits(vault_id, subject),
                recs
                  .filter((r) => VAULTS[r.vault] === vault_id)
                  .map((r) => ({ vault_id, subject: SUBJECTS[r.subject]!, fields: { category: r.category } })),
              ),
            );
            for (const r of rows)
              assert.ok(allowed.has(`${r.vault_id}/${r.subject}`), `${r.subject} leaked into ${envelope.task_id}`);
            const expected = recs.filter(
              (r) =>
                envelope.targets.vault_ids.includes(VAULTS[r.vault]!) &&
                allowed.has(`${VAULTS[r.vault]}/${SUBJECTS[r.subject]}`),
            );
            assert.equal(rows.length, expected.length, 'every consenting record is kept');
            const { output, contributors } = runBuiltin({ type: 'builtin', operator: 'count' }, [], rows, {
              referenceMs: 0,
              kMin: 1,
            });
            for (const subject of contributors.keys())
              assert.ok(
                envelope.targets.vault_ids.some((v) => allowed.has(`${v}/${subject}`)),
                `${subject} contributed`,
              );
            if ('value' in output) assert.equal(output.value, expected.length);
          }
        },
      ),
      { numRuns: 150 },
    );
  });
});
