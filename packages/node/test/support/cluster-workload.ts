/**
 * A seeded workload against a network's HTTP API, for the fault suite and the cluster benchmark:
 * records and consent into each Vault, then histogram tasks whose parameters come from a seeded
 * generator. Submissions retry with the same idempotency key until the API answers, so a task is
 * never admitted twice however often a fault makes a request fail.
 */
import { consentGrants } from './consent.ts';
import { type ActorKey, actorKey, signedHeaders } from './signed-requests.ts';
import { delay } from './wait.ts';

/** The submitter of the workload (register it at genesis with `workloadActors()`). */
export const WORKLOAD_ACTOR: ActorKey = actorKey('act_brand-workload');

export const workloadActors = () => [
  {
    actor_id: WORKLOAD_ACTOR.keyid,
    roles: ['data_producer', 'governance', 'task_submitter'] as ('data_producer' | 'governance' | 'task_submitter')[],
    public_key: WORKLOAD_ACTOR.publicKeyHex,
    balance: '1000000000',
    grants: 'all' as const,
  },
];

/** States a task does not leave by itself (awaiting_settlement waits for an epoch close). */
export const TERMINAL = new Set(['completed', 'rejected', 'timed_out']);
export const VERIFIED_OR_DONE = new Set(['awaiting_settlement', ...TERMINAL]);

export type ApiAnswer = { status: number; body: Record<string, any> };

/** Signed JSON calls to one base URL; network errors (a node or NATS down) are retried until `untilMs`. */
export class WorkloadClient {
  constructor(
    readonly base: string,
    readonly key: ActorKey = WORKLOAD_ACTOR,
  ) {}

  async call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<ApiAnswer> {
    const text = body === undefined ? undefined : JSON.stringify(body);
    const res = await fetch(`${this.base}${path}`, {
      method,
      headers: {
        ...(text === undefined ? {} : { 'content-type': 'application/json' }),
        ...headers,
        ...signedHeaders(this.key, method, path, text),
      },
      ...(text === undefined ? {} : { body: text }),
      signal: AbortSignal.timeout(10_000),
    });
    return { status: res.status, body: (await res.json()) as Record<string, any> };
  }

  /** Retries on network errors and 5xx until a 2xx/4xx answer or `timeoutMs` passes. */
  async retrying(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
    timeoutMs = 90_000,
  ): Promise<ApiAnswer & { attempts: number }> {
    const end = Date.now() + timeoutMs;
    for (let attempts = 1; ; attempts++) {
      try {
        const r = await this.call(method, path, body, headers);
        if (r.status < 500) return { ...r, attempts };
        if (Date.now() > end) return { ...r, attempts };
      } catch (error) {
        if (Date.now() > end) throw error;
      }
      await delay(200);
    }
  }
}

/** Seeded records of `subjects` subjects for one Vault. */
export function workloadRecords(vaultId: string, count: number, subjects: number, rand: () => number) {
  return Array.from({ length: count }, (_, i) => ({
    subject: `act_${vaultId.slice(4)}-sub-${i % subjects}`,
    fields: {
      merchant: ['Kopi Corner', 'Bean There', 'Daily Grind'][Math.floor(rand() * 3)]!,
      category: rand() < 0.75 ? 'coffee' : 'grocery',
      city: 'Singapore',
      total_amount: `${3 + Math.floor(rand() * 8)}.${Math.floor(rand() * 10)}0`,
      purchased_at: `2026-11-${String(10 + Math.floor(rand() * 15)).padStart(2, '0')}T09:30:00Z`,
    },
  }));
}

/** Ingests records into each Vault and grants every subject's consent. */
export async function seedVaults(client: WorkloadClient, vaultIds: readonly string[], rand: () => number) {
  for (const vault of vaultIds) {
    const records = workloadRecords(vault, 60, 12, rand);
    const ingested = await client.retrying('POST', `/v1/vaults/${vault}/records`, { records });
    if (ingested.status !== 201)
      throw new Error(`ingest into ${vault}: ${ingested.status} ${JSON.stringify(ingested.body)}`);
    const consented = await client.retrying('POST', '/v1/consents', {
      grants: consentGrants(
        vault,
        records.map((r) => r.subject),
      ),
    });
    if (consented.status !== 201) throw new Error(`consent in ${vault}: ${consented.status}`);
  }
}

/** The i-th seeded task: a histogram over one Vault's amounts, its bins and filter drawn from `rand`. */
export function workloadTask(vaultIds: readonly string[], rand: () => number) {
  const vault = vaultIds[Math.floor(rand() * vaultIds.length)]!;
  const a = 4 + Math.floor(rand() * 3);
  return {
    class: 'compute',
    submitter: WORKLOAD_ACTOR.keyid,
    consent_scope: 'analytics',
    targets: { vault_ids: [vault] },
    semantic: { domain: 'commerce.receipt', semantic_version: '1.0.0', attributes: ['category', 'total_amount'] },
    budget: { max_fee: '50000' },
    spec: {
      kind: 'compute',
      program: {
        type: 'builtin',
        operator: 'histogram',
        attribute: 'total_amount',
        bin_edges: ['0', `${a}`, '8', '20'],
      },
      filter: [{ attribute: 'category', op: 'eq', value: rand() < 0.8 ? 'coffee' : 'grocery' }],
    },
  };
}

/** Submits a task under an idempotency key, retrying through faults; returns its id once admitted. */
export async function submitTask(client: WorkloadClient, key: string, task: unknown): Promise<string> {
  const r = await client.retrying('POST', '/v1/tasks', task, { 'idempotency-key': key });
  if (r.status !== 201 && r.status !== 200) throw new Error(`task ${key}: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body.task_id as string;
}

/** Polls until every task is in one of `states`; returns their states. */
export async function waitForStates(
  client: WorkloadClient,
  ids: readonly string[],
  states: ReadonlySet<string>,
  timeoutMs = 120_000,
): Promise<Map<string, string>> {
  const end = Date.now() + timeoutMs;
  const seen = new Map<string, string>();
  for (;;) {
    for (const id of ids) {
      if (states.has(seen.get(id) ?? '')) continue;
      try {
        const r = await client.call('GET', `/v1/tasks/${id}`);
        if (r.status === 200) seen.set(id, r.body.state as string);
      } catch {}
    }
    if (ids.every((id) => states.has(seen.get(id) ?? ''))) return seen;
    if (Date.now() > end) {
      const stuck = ids.filter((id) => !states.has(seen.get(id) ?? '')).map((id) => `${id}:${seen.get(id)}`);
      throw new Error(`tasks not in ${[...states].join('/')} after ${timeoutMs} ms: ${stuck.join(', ')}`);
    }
    await delay(100);
  }
}

/** Closes the open epoch and waits until its settlement is finalized; returns the epoch and its signers. */
export async function closeAndFinalize(
  client: WorkloadClient,
  timeoutMs = 120_000,
): Promise<{ epoch: number; signers: string[]; root: string; entries: number }> {
  const closed = await client.retrying('POST', '/v1/epochs/current/close');
  if (closed.status !== 200) throw new Error(`close: ${closed.status} ${JSON.stringify(closed.body)}`);
  const epoch = closed.body.closed_epoch as number;
  const end = Date.now() + timeoutMs;
  for (;;) {
    const s = await client.retrying('GET', `/v1/epochs/${epoch}/settlement`);
    if (s.body.state === 'finalized') {
      return {
        epoch,
        signers: (s.body.certificate.signatures as { master_id: string }[]).map((x) => x.master_id).sort(),
        root: s.body.certificate.statement.settlement_root as string,
        entries: (s.body.entries as unknown[]).length,
      };
    }
    if (Date.now() > end) throw new Error(`epoch ${epoch} not finalized after ${timeoutMs} ms (${s.body.state})`);
    await delay(100);
  }
}
