/**
 * Consent cost on the execution path: the materializer keeps only rows whose subject holds a live
 * consent at the task's admission (`keepAdmissible` + `consentAdmits`), then the built-in operator
 * runs. Baseline in the same run: the same operator over the unfiltered rows. Also folds the
 * consent grants themselves (batches of 1000) beside the raw Ed25519 verifications they need.
 *
 *   npx tsx bench/consent-filter.bench.ts [--subjects 1000,10000,50000] [--rows-per-subject 10]
 */

import { createPublicKey, verify } from 'node:crypto';
import { keepAdmissible } from '../packages/node/src/data/materialize-records.ts';
import { runBuiltin } from '../packages/node/src/execution/builtin-operators.ts';
import {
  admissionOf,
  attestationHash,
  type ConsentGrant,
  consentAdmits,
  digestBytes,
  envelopeHash,
} from '../packages/protocol/src/index.ts';
import { NetworkFixture } from '../packages/protocol/test/support/network-fixture.ts';
import { argValue, machine, median, timeMs } from './bench-util.ts';

const sizes = (argValue('--subjects') ?? '1000,10000,50000').split(',').map(Number);
const perSubject = Number(argValue('--rows-per-subject') ?? 10);
const VAULT = 'vlt_a1';
const out: string[] = [];

for (const subjects of sizes) {
  const net = new NetworkFixture().genesis().enterpriseNode('node_ent-a', [VAULT]);
  const key = net.enterprise.get('node_ent-a')!;
  // 80% of subjects consent (every fifth never does).
  const grants: ConsentGrant[] = [];
  for (let i = 0; i < subjects; i++) {
    if (i % 5 === 4) continue;
    const unsigned = {
      schema_version: 1 as const,
      vault_id: VAULT,
      subject: `act_s${i}`,
      scope: 'analytics' as const,
      revision: 1,
      expires_at_ms: net.time_ms + 365 * 86_400_000,
      signer_node: 'node_ent-a',
    };
    grants.push({ ...unsigned, signature: key.sign(digestBytes(attestationHash('consent_grant', unsigned))) });
  }
  const digests = grants.map((g) => digestBytes(attestationHash('consent_grant', g)));
  // Baseline: the raw Ed25519 verifications the fold must do (node:crypto, no result cache), before the fold.
  const publicKey = createPublicKey({
    key: Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), Buffer.from(key.publicKeyHex, 'hex')]),
    format: 'der',
    type: 'spki',
  });
  const verifyMs = timeMs(() => {
    for (const [i, g] of grants.entries()) verify(null, digests[i]!, publicKey, Buffer.from(g.signature, 'hex'));
  });
  const foldMs = timeMs(() => {
    for (let k = 0; k < grants.length; k += 1000)
      net.must({ type: 'consent_granted', consents: grants.slice(k, k + 1000) });
  });
  const envelope = net.envelope('tsk_bench', [VAULT]);
  net.must({ type: 'task_admitted', envelope, envelope_hash: envelopeHash(envelope) });
  const at = admissionOf(net.state, 'tsk_bench')!;
  const gate = {
    scope: 'analytics' as const,
    admitted_at_seq: at.seq,
    admits: (v: string, s: string) => consentAdmits(net.state, v, s, 'analytics', at),
  };
  const rows = Array.from({ length: subjects * perSubject }, (_, i) => ({
    subject: `act_s${i % subjects}`,
    fields: { category: i % 3 === 0 ? 'coffee' : 'grocery', total_amount: `${(i % 97) + 1}.25` },
  }));
  const program = { type: 'builtin' as const, operator: 'sum' as const, attribute: 'total_amount' };
  const filter = [{ attribute: 'category', op: 'eq' as const, value: 'coffee' }];
  const base: number[] = [];
  const gated: number[] = [];
  let kept = 0;
  for (let run = 0; run < 3; run++) {
    base.push(timeMs(() => runBuiltin(program, filter, rows, { referenceMs: 0, kMin: 5 })));
    gated.push(
      timeMs(() => {
        const admitted = keepAdmissible((subject) => gate.admits(VAULT, subject), rows);
        kept = admitted.length;
        runBuiltin(program, filter, admitted, { referenceMs: 0, kMin: 5 });
      }),
    );
  }
  const b = median(base);
  const g = median(gated);
  out.push(
    `| ${subjects} | ${rows.length} | ${kept} | ${b.toFixed(1)} | ${g.toFixed(1)} | ${(g / b).toFixed(2)}x | ${grants.length} | ${foldMs.toFixed(0)} | ${verifyMs.toFixed(0)} | ${(foldMs / verifyMs).toFixed(2)}x |`,
  );
}

console.log(`consent filtering and consent folding (${machine()}), median of 3 (fold: 1 run)\n`);
console.log(
  '| subjects | rows | rows admitted | operator only ms (baseline) | consent filter + operator ms | ratio | grants | fold grants ms | raw Ed25519 verify ms | fold / verify |',
);
console.log('| -: | -: | -: | -: | -: | -: | -: | -: | -: | -: |');
for (const line of out) console.log(line);
