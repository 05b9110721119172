/**
 * A deterministic SCP network for tests and golden vectors: fixed-seed Ed25519 keys, a default
 * parameter set and semantic domain, and a log builder that seals, folds and signs as a real
 * network would. Everything here is a pure function of its inputs.
 */
import { createHash, createPrivateKey, createPublicKey, sign } from 'node:crypto';
import {
  type ApplyOutcome,
  apply,
  decisionHash,
  digestBytes,
  type Entry,
  type ExecutionReceipt,
  emptyState,
  envelopeHash,
  type ParameterSet,
  type ProtocolEvent,
  type ProtocolState,
  receiptHash,
  type SemanticDomain,
  type SettlementStatement,
  sealEntry,
  statementHash,
  type TaskEnvelope,
  type VerificationDecision,
} from '../../src/index.ts';

export type TestKey = { name: string; publicKeyHex: string; sign(bytes: Uint8Array): string };

const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

/** An Ed25519 key derived from a name: the same name gives the same key everywhere. */
export function seededKey(name: string): TestKey {
  const seed = createHash('sha256').update(`scs-test-key/${name}`).digest();
  const privateKey = createPrivateKey({
    key: Buffer.concat([PKCS8_ED25519_PREFIX, seed]),
    format: 'der',
    type: 'pkcs8',
  });
  const spki = createPublicKey(privateKey).export({ format: 'der', type: 'spki' });
  return {
    name,
    publicKeyHex: Buffer.from(spki.subarray(spki.length - 32)).toString('hex'),
    sign: (bytes) => sign(null, bytes, privateKey).toString('hex'),
  };
}

/** The digest-of-a-string helper used for deterministic commitments in fixtures. */
export const fakeDigest = (label: string) => createHash('sha256').update(label).digest('hex');

export function defaultParameters(overrides: Partial<ParameterSet> = {}): ParameterSet {
  const price = { base: '1000', per_record: '10', per_fuel_kilo: '1', per_round_vault: '100' };
  return {
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
    ...overrides,
  };
}

export function receiptDomain(version = '1.0.0'): SemanticDomain {
  return {
    schema_version: 1,
    domain: 'commerce.receipt',
    semantic_version: version,
    attributes: [
      { name: 'merchant', type: 'string', sensitivity: 'public', aggregations: ['count', 'group_by', 'filter'] },
      { name: 'category', type: 'category', sensitivity: 'public', aggregations: ['count', 'group_by', 'filter'] },
      { name: 'city', type: 'category', sensitivity: 'personal', aggregations: ['count', 'group_by', 'filter'] },
      {
        name: 'total_amount',
        type: 'decimal',
        unit: 'currency',
        sensitivity: 'personal',
        aggregations: ['sum', 'mean', 'quantile', 'histogram', 'filter'],
      },
      { name: 'purchased_at', type: 'timestamp', sensitivity: 'personal', aggregations: ['filter'] },
    ],
  };
}

export const MASTER_IDS = ['node_master-1', 'node_master-2', 'node_master-3'] as const;

/** Builds a log entry by entry, folding each into its own state; time advances 1 s per entry unless set. */
export class NetworkFixture {
  readonly state: ProtocolState = emptyState();
  readonly entries: Entry[] = [];
  readonly outcomes: ApplyOutcome[] = [];
  readonly masters = MASTER_IDS.map((id) => ({ id, key: seededKey(id), operator: `act_op-${id.slice(5)}` }));
  readonly enterprise = new Map<string, TestKey>();
  time_ms = 1_767_225_600_000; // 2026-01-01T00:00:00Z

  /** Seals `event` after the head, in the current epoch, and folds it. */
  append(event: ProtocolEvent, opts: { advance_ms?: number; origin?: string } = {}): ApplyOutcome {
    this.time_ms += opts.advance_ms ?? 1000;
    const epoch_id = event.type === 'genesis' ? 1 : this.state.current_epoch;
    const entry = sealEntry(this.state.head ?? undefined, {
      time_ms: this.time_ms,
      epoch_id,
      origin: opts.origin ?? MASTER_IDS[0],
      event,
    }) as Entry;
    const outcome = apply(this.state, entry);
    this.entries.push(entry);
    this.outcomes.push(outcome);
    return outcome;
  }

  /** Like `append`, but fails loudly unless the event applied. */
  must(event: ProtocolEvent, opts: { advance_ms?: number } = {}): void {
    const outcome = this.append(event, opts);
    if (outcome.kind !== 'applied') throw new Error(`${event.type} not applied: ${JSON.stringify(outcome)}`);
  }

  genesis(parameters: ParameterSet = defaultParameters()): this {
    this.must({
      type: 'genesis',
      network_id: 'scs-test',
      masters: this.masters.map((m) => ({ node_id: m.id, public_key: m.key.publicKeyHex, operator: m.operator })),
      treasury_account: 'act_treasury',
      parameters,
      semantic_domains: [receiptDomain()],
    });
    return this;
  }

  enterpriseNode(node_id: string, vaults: readonly string[]): this {
    const key = seededKey(node_id);
    this.enterprise.set(node_id, key);
    this.must({
      type: 'node_registered',
      node_id,
      kind: 'enterprise',
      public_key: key.publicKeyHex,
      operator: `act_op-${node_id.slice(5)}`,
    });
    for (const vault_id of vaults)
      this.must({ type: 'vault_registered', vault_id, node_id, operator: `act_op-${node_id.slice(5)}` });
    return this;
  }

  envelope(task_id: string, vault_ids: readonly string[], overrides: Partial<TaskEnvelope> = {}): TaskEnvelope {
    return {
      schema_version: 1,
      task_id,
      class: 'compute',
      submitter: 'act_brand',
      authorization: { grant_ids: [] },
      consent_scope: 'analytics',
      targets: { vault_ids: [...vault_ids].sort() },
      semantic: { domain: 'commerce.receipt', semantic_version: '1.0.0', attributes: ['category', 'total_amount'] },
      policy_version: 1,
      epoch_id: this.state.current_epoch,
      budget: { max_fee: '100000' },
      admitted_at_ms: this.time_ms,
      deadline_ms: this.time_ms + 600_000,
      spec: { kind: 'compute', program: { type: 'builtin', operator: 'sum', attribute: 'total_amount' }, filter: [] },
      ...overrides,
    };
  }

  admit(envelope: TaskEnvelope): ApplyOutcome {
    return this.append({ type: 'task_admitted', envelope, envelope_hash: envelopeHash(envelope) });
  }

  dispatch(task_id: string, attempt = 1): ApplyOutcome {
    const t = this.state.tasks[task_id]!;
    return this.append({
      type: 'task_dispatched',
      task_id,
      attempt,
      resolution_hash: fakeDigest(`resolution/${task_id}`),
      assignments: t.vault_ids.map((vault_id) => ({ vault_id, node_id: this.state.vaults[vault_id]!.node_id })),
    });
  }

  receipt(task_id: string, opts: Partial<Omit<ExecutionReceipt, 'signature'>> = {}): ExecutionReceipt {
    const t = this.state.tasks[task_id]!;
    const node = opts.executor_node ?? t.assignments![0]!.node_id;
    const key = this.enterprise.get(node)!;
    const unsigned: Omit<ExecutionReceipt, 'signature'> = {
      schema_version: 1,
      task_id,
      attempt: t.attempt,
      executor_node: node,
      vault_ids: t.vault_ids,
      replay_context: {
        epoch_id: t.admitted_epoch,
        semantic_version: t.semantic_version,
        policy_version: t.policy_version,
        seed: fakeDigest(`seed/${task_id}`),
      },
      input_commitments: t.vault_ids.map((v) => fakeDigest(`snapshot/${v}`)),
      code_hash: fakeDigest('builtin/sum'),
      status: 'succeeded',
      output_hash: fakeDigest(`output/${task_id}`),
      transcript_hash: fakeDigest(`transcript/${task_id}`),
      usage: { records_scanned: 120, fuel: 0, rounds: 0 },
      contributions: [
        { account: 'act_alice', role: 'data_producer', units: 70 },
        { account: 'act_bob', role: 'data_producer', units: 50 },
        { account: `act_op-${node.slice(5)}`, role: 'vault_operator', units: 120 },
      ],
      attestation: {
        provider: 'simulated',
        measurement: fakeDigest('enclave/v1'),
        evidence_hash: fakeDigest(`evidence/${task_id}`),
      },
      signer_public_key: key.publicKeyHex,
      ...opts,
    };
    return { ...unsigned, signature: key.sign(digestBytes(receiptHash(unsigned))) };
  }

  decision(
    task_id: string,
    outcome: VerificationDecision['outcome'],
    master = 1,
    reason_code?: string,
  ): VerificationDecision {
    const t = this.state.tasks[task_id]!;
    const m = this.masters[master]!;
    const unsigned: Omit<VerificationDecision, 'signature'> = {
      schema_version: 1,
      task_id,
      attempt: t.attempt,
      verifier: m.operator,
      receipt_hash: t.receipt_hash!,
      outcome,
      method: 'reexecution',
      reexecution_output_hash: fakeDigest(`output/${task_id}`),
      signer_public_key: m.key.publicKeyHex,
      ...(reason_code ? { reason_code } : {}),
    };
    return { ...unsigned, signature: m.key.sign(digestBytes(decisionHash(unsigned))) };
  }

  /** Admits a compute task and drives it to `awaiting_settlement`. */
  completeTask(task_id: string, vault_ids: readonly string[]): this {
    const outcome = this.admit(this.envelope(task_id, vault_ids));
    if (outcome.kind !== 'applied') throw new Error(JSON.stringify(outcome));
    this.must({ type: 'task_resolution_started', task_id });
    if (this.dispatch(task_id).kind !== 'applied') throw new Error('dispatch failed');
    this.must({ type: 'execution_receipt_recorded', receipt: this.receipt(task_id) });
    this.must({ type: 'verification_decided', decision: this.decision(task_id, 'accepted') });
    return this;
  }

  closeEpoch(): this {
    this.must({ type: 'epoch_closed', epoch_id: this.state.current_epoch, trigger: 'manual' });
    return this;
  }

  /** The statement the candidate of `epoch_id` asks masters to sign. */
  statement(epoch_id: number): SettlementStatement {
    return this.state.settlements[epoch_id]!.candidate!.statement;
  }

  sign(epoch_id: number, master: number, statement: SettlementStatement = this.statement(epoch_id)): ApplyOutcome {
    const m = this.masters[master]!;
    return this.append({
      type: 'settlement_signed',
      master_id: m.id,
      statement,
      signature: m.key.sign(digestBytes(statementHash(statement))),
    });
  }
}
