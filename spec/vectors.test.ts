/**
 * The golden vector runner. Every file under spec/vectors is listed in the manifest with its
 * SHA-256 (a changed or deleted byte fails), every folder is a known vector kind (an unknown one
 * fails), and every vector is recomputed from its inputs by the protocol core. A vector may be
 * skipped only with a written `skip` reason.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import {
  type Contribution,
  canonicalBytes,
  canonicalString,
  digestBytes,
  domainHash,
  type Entry,
  fold,
  type MerkleProof,
  merkleRootHex,
  type PayoutBatch,
  type PayoutClaim,
  payoutClaimsTree,
  type QuorumCertificate,
  type RewardRecord,
  rewardTree,
  type SettlementEntry,
  type SettlementStatement,
  settlementTree,
  splitFee,
  stateHash,
  statementHash,
  verifyEd25519,
  verifyInclusion,
  verifyPayoutClaim,
  verifyQuorumCertificate,
} from '../packages/protocol/src/index.ts';
import {
  MANIFEST,
  serializeVector,
  sha256File,
  VECTOR_KINDS,
  VECTORS_DIR,
  type VectorKind,
  vectorFiles,
} from './vector-format.ts';

type Vector = Record<string, unknown> & { description: string; skip?: unknown };
const statementOf = (v: Vector) => v.statement as SettlementStatement;
const read = (rel: string) => JSON.parse(readFileSync(join(VECTORS_DIR, rel), 'utf8')) as Vector;

const checks: Record<VectorKind, (v: Vector, file: string) => void> = {
  'canonical-encoding'(v) {
    const without = (v.without as string[]) ?? [];
    const hashed = Object.fromEntries(
      Object.entries(v.input as Record<string, unknown>).filter(([k]) => !without.includes(k)),
    );
    assert.equal(canonicalString(hashed), v.canonical);
    if (v.domain_tag) assert.equal(domainHash(v.domain_tag as string, hashed), v.hash);
  },
  merkle(v) {
    const leaves = (v.leaves_hex as string[]).map((h) => Buffer.from(h, 'hex'));
    assert.equal(merkleRootHex(leaves), v.root);
    for (const [i, p] of (v.proofs as MerkleProof[]).entries())
      assert.ok(verifyInclusion(leaves[i]!, p, v.root as string), `proof ${i}`);
  },
  reducer(v) {
    const entries = v.entries as Entry[];
    const expected = v.expected as {
      outcomes: { seq: number; kind: string; code?: string }[];
      head: unknown;
      state_hash: string;
    };
    const result = fold(entries);
    assert.equal(result.fatal, undefined, `fatal entry ${JSON.stringify(result.fatal)}`);
    const outcomes = [
      ...Array.from({ length: entries.length }, (_, seq) => {
        const ignored = result.ignored.find((o) => o.seq === seq);
        return ignored ? { seq, kind: 'ignored', code: ignored.refusal.code } : { seq, kind: 'applied' };
      }),
    ];
    assert.deepEqual(outcomes, expected.outcomes);
    assert.deepEqual(result.state.head, expected.head);
    assert.equal(stateHash(result.state), expected.state_hash);
  },
  settlement(v) {
    const entries = v.entries as SettlementEntry[];
    const tree = settlementTree(entries);
    assert.equal(tree.rootHex, v.settlement_root);
    for (const [i, p] of (v.entry_proofs as MerkleProof[]).entries()) {
      assert.ok(verifyInclusion(canonicalBytes(entries[i]!), p, tree.rootHex), `proof ${i}`);
      assert.equal(p.tree_size, statementOf(v).entry_count);
    }
    const rewards = (v.rewards as RewardRecord[]).map((r) => ({
      ...r,
      schema_version: 1 as const,
      policy_version: 1,
      state: 'calculated' as const,
    }));
    assert.equal(rewardTree(rewards).rootHex, v.rewards_root);
    const statement = v.statement as SettlementStatement;
    assert.equal(statement.settlement_root, v.settlement_root);
    assert.equal(statement.rewards_root, v.rewards_root);
    assert.equal(statement.entry_count, entries.length);
    assert.equal(statement.reward_count, rewards.length);
    assert.equal(statementHash(statement), v.statement_hash);
    const cert = v.certificate as QuorumCertificate;
    const keys = v.master_keys as Record<string, string>;
    assert.deepEqual(cert.statement, statement);
    const valid = new Set(
      cert.signatures
        .filter(
          (s) =>
            keys[s.master_id] &&
            verifyEd25519(keys[s.master_id]!, digestBytes(v.statement_hash as string), s.signature),
        )
        .map((s) => s.master_id),
    );
    assert.ok(valid.size >= (v.quorum as number), `${valid.size} valid master signatures`);
    assert.deepEqual(verifyQuorumCertificate(cert, keys, { quorum: v.quorum as number }), { ok: true });
    const batches = (v.payout_batches ?? []) as {
      batch: PayoutBatch;
      claims: PayoutClaim[];
      claim_proofs: unknown[];
    }[];
    for (const { batch, claims, claim_proofs } of batches) {
      assert.equal(payoutClaimsTree(claims).rootHex, batch.claims_root);
      assert.equal(claims.reduce((t, c) => t + BigInt(c.amount), 0n).toString(), batch.total);
      for (const proof of claim_proofs) assert.deepEqual(verifyPayoutClaim(proof, batch.claims_root), { ok: true });
    }
  },
  rewards(v, file) {
    if (file === 'rewards/split-examples.json') {
      for (const c of v.cases as { fee: string; contributions: Contribution[]; lines: unknown[] }[]) {
        const lines = splitFee(
          BigInt(c.fee),
          v.reward_split_bps as never,
          c.contributions,
          v.treasury_account as string,
        );
        assert.deepEqual(
          lines.map((l) => ({ ...l, amount: l.amount.toString() })),
          c.lines,
        );
      }
      return;
    }
    const source = read(v.source as string);
    const state = fold(source.entries as Entry[]).state;
    const ledger = Object.values(state.rewards).sort((a, b) => (a.reward_id < b.reward_id ? -1 : 1));
    assert.deepEqual(ledger, v.ledger);
    assert.deepEqual(
      Object.values(state.payouts).sort((a, b) => (a.intent_id < b.intent_id ? -1 : 1)),
      v.payouts,
    );
  },
};

describe('golden vectors', () => {
  it('every file is listed in the manifest with its exact SHA-256, and nothing listed is missing', () => {
    const manifest = readFileSync(join(VECTORS_DIR, MANIFEST), 'utf8').trim().split('\n');
    const listed = new Map(manifest.map((line) => [line.slice(66), line.slice(0, 64)]));
    const present = vectorFiles();
    for (const f of present)
      assert.equal(sha256File(join(VECTORS_DIR, f)), listed.get(f), `${f} changed or is not in the manifest`);
    for (const f of listed.keys()) assert.ok(present.includes(f), `${f} is in the manifest but missing`);
  });

  it('knows every vector folder', () => {
    for (const name of readdirSync(VECTORS_DIR)) {
      if (name === MANIFEST) continue;
      assert.ok(
        statSync(join(VECTORS_DIR, name)).isDirectory() && (VECTOR_KINDS as readonly string[]).includes(name),
        `unknown vector folder: ${name}`,
      );
    }
  });

  for (const kind of VECTOR_KINDS) {
    const dir = join(VECTORS_DIR, kind);
    const files = existsSync(dir) ? readdirSync(dir).sort() : [];
    describe(kind, () => {
      it('has vectors', () => assert.ok(files.length > 0, `no vectors in ${kind}`));
      for (const name of files) {
        const file = `${kind}/${name}`;
        it(file, (t) => {
          const raw = readFileSync(join(VECTORS_DIR, file), 'utf8');
          const v = JSON.parse(raw) as Vector;
          assert.equal(raw, serializeVector(v), 'vector bytes are not in the canonical layout');
          assert.ok(typeof v.description === 'string' && v.description.length > 0, 'a vector says what it pins');
          if ('skip' in v) {
            assert.ok(
              typeof v.skip === 'string' && v.skip.trim().length > 0,
              'a skipped vector must give a written reason',
            );
            t.skip(v.skip as string);
            return;
          }
          checks[kind](v, file);
        });
      }
    });
  }
});
