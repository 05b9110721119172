/**
 * The client against a real HTTP server on loopback that answers what a node answers under load:
 * 429/503 with Retry-After, paged listings, a task moving through its states. Proves the retry
 * policy, the reuse of the Idempotency-Key, fresh signatures per attempt, pagination and watchTask.
 */
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { parseSignature, signatureBase, targetComponents } from '@symphony/api';
import { verifyEd25519 } from '@symphony/protocol';
import { allTasks, collect, SymphonyApiError, SymphonyClient, watchTask } from '../src/index.ts';
import { signerFromKeyObject } from '../src/node.ts';

type Seen = { method: string; url: string; headers: IncomingMessage['headers']; body: string };
let seen: Seen[] = [];
let handler: (req: Seen, res: ServerResponse) => void = () => {};
const server = createServer((req, res) => {
  let body = '';
  req.on('data', (d) => (body += d));
  req.on('end', () => {
    const r = { method: req.method!, url: req.url!, headers: req.headers, body };
    seen.push(r);
    handler(r, res);
  });
});
let baseUrl = '';
before(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => new Promise<void>((resolve) => server.close(() => resolve())));

const json = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
};

const signer = signerFromKeyObject('act_sdk-test', generateKeyPairSync('ed25519').privateKey);

const task = (id: string, state: string) => ({
  task_id: id,
  class: 'compute',
  state,
  submitter: 'act_sdk-test',
  envelope_hash: 'a'.repeat(64),
  policy_version: 1,
  semantic_version: '1.0.0',
  admitted_epoch: 0,
  attempt: 0,
  max_fee: '100',
  vault_ids: ['vlt_x'],
  updated_seq: 1,
});

function signatureOf(r: Seen) {
  const parsed = parseSignature(r.headers['signature-input'] as string, r.headers.signature as string);
  assert.ok(parsed.ok, 'the request is signed');
  const components = {
    method: r.method,
    ...targetComponents(r.url),
    ...(r.headers['content-digest'] ? { contentDigest: r.headers['content-digest'] as string } : {}),
  };
  const ok = verifyEd25519(
    signer.publicKeyHex,
    new TextEncoder().encode(signatureBase(components, parsed.params)),
    Buffer.from(parsed.signature).toString('hex'),
  );
  return { nonce: parsed.params.nonce, keyid: parsed.params.keyid, ok };
}

test('a submission answered 429 then 503 is retried after Retry-After with the same Idempotency-Key and fresh signatures', async () => {
  seen = [];
  let calls = 0;
  handler = (_r, res) => {
    calls++;
    if (calls === 1) json(res, 429, { code: 'rate_limited', message: 'slow down' }, { 'retry-after': '2' });
    else if (calls === 2) json(res, 503, { code: 'unavailable', message: 'closing' }, { 'retry-after': '1' });
    else json(res, 201, task('tsk_0123456789abcdef0123456789abcdef', 'accepted'));
  };
  const waits: number[] = [];
  const client = new SymphonyClient({ baseUrl, signer, sleep: async (ms) => void waits.push(ms) });
  const request = { class: 'compute' } as unknown as Parameters<SymphonyClient['submitTask']>[0];
  const outcome = await client.submitTask(request);
  assert.equal(seen.length, 3);
  assert.deepEqual(waits, [2000, 1000], 'waits what Retry-After asks');
  const keys = new Set(seen.map((r) => r.headers['idempotency-key']));
  assert.equal(keys.size, 1, 'one Idempotency-Key for every attempt');
  assert.equal(outcome.idempotencyKey, [...keys][0]);
  assert.equal(outcome.created, true);
  const signatures = seen.map(signatureOf);
  assert.ok(
    signatures.every((s) => s.ok && s.keyid === 'act_sdk-test'),
    'every attempt carries a valid signature',
  );
  assert.equal(new Set(signatures.map((s) => s.nonce)).size, 3, 'a fresh nonce per attempt');
  assert.ok(
    seen.every((r) => r.headers['content-digest']),
    'the body digest is signed',
  );
});

test('a given Idempotency-Key is sent as given; 200 means an idempotent replay', async () => {
  seen = [];
  handler = (_r, res) => json(res, 200, task('tsk_0123456789abcdef0123456789abcdef', 'accepted'));
  const client = new SymphonyClient({ baseUrl, signer });
  const outcome = await client.submitTask({} as never, { idempotencyKey: 'my-key-1' });
  assert.equal(seen[0]!.headers['idempotency-key'], 'my-key-1');
  assert.equal(outcome.created, false);
});

test('retries stop after the configured attempts and the API error surfaces with its code', async () => {
  seen = [];
  handler = (_r, res) => json(res, 503, { code: 'unavailable', message: 'down', details: { why: 'x' } });
  const client = new SymphonyClient({ baseUrl, signer, retry: { attempts: 3 }, sleep: async () => {} });
  await assert.rejects(client.getNetwork(), (e: unknown) => {
    assert.ok(e instanceof SymphonyApiError);
    assert.equal(e.code, 'unavailable');
    assert.equal(e.status, 503);
    assert.deepEqual(e.details, { why: 'x' });
    return true;
  });
  assert.equal(seen.length, 3);
});

test('a 4xx other than 429 is not retried', async () => {
  seen = [];
  handler = (_r, res) => json(res, 404, { code: 'not_found', message: 'No task' });
  const client = new SymphonyClient({ baseUrl, signer, sleep: async () => {} });
  await assert.rejects(client.getTask('tsk_0123456789abcdef0123456789abcdef'), { code: 'not_found' });
  assert.equal(seen.length, 1);
});

test('allTasks follows next_cursor across pages and passes the filters', async () => {
  seen = [];
  const ids = Array.from({ length: 5 }, (_, i) => `tsk_${String(i).padStart(32, '0')}`);
  handler = (r, res) => {
    const q = new URL(r.url, baseUrl).searchParams;
    const from = Number(q.get('cursor') ?? '0');
    const next = from + 2 < ids.length ? { next_cursor: String(from + 2) } : {};
    json(res, 200, { tasks: ids.slice(from, from + 2).map((id) => task(id, q.get('state')!)), ...next });
  };
  const client = new SymphonyClient({ baseUrl, signer });
  const tasks = await collect(allTasks(client, { state: 'completed', limit: 2 }));
  assert.deepEqual(
    tasks.map((t) => t.task_id),
    ids,
  );
  assert.equal(seen.length, 3);
  assert.ok(seen.every((r) => r.url.includes('state=completed') && r.url.includes('limit=2')));
});

test('watchTask yields each state change once and ends at a terminal state', async () => {
  const states = ['accepted', 'accepted', 'dispatched', 'verifying', 'verifying', 'awaiting_settlement', 'completed'];
  let i = 0;
  handler = (_r, res) =>
    json(res, 200, task('tsk_0123456789abcdef0123456789abcdef', states[Math.min(i++, states.length - 1)]!));
  const client = new SymphonyClient({ baseUrl, signer });
  const seenStates: string[] = [];
  for await (const t of watchTask(client, 'tsk_0123456789abcdef0123456789abcdef', { sleep: async () => {} }))
    seenStates.push(t.state);
  assert.deepEqual(seenStates, ['accepted', 'dispatched', 'verifying', 'awaiting_settlement', 'completed']);
  assert.equal(i, states.length, 'stops polling at completed');
});
