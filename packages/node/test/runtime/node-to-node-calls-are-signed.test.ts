/**
 * Node-to-node calls are authenticated like actor requests: a real enterprise node of the embedded
 * network answers a request sealed by a registered master, and refuses, each with its own code,
 * an unsigned one, a bad signature, one signed for another subject, one outside the time window, a
 * replay, one from a node the log does not know, and one from a node whose role may not call it.
 * The lifecycle itself (every master request signed) is exercised by the embedded tests.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { MemoryBroker, type MemoryBus } from '../../src/adapters/memory-bus.ts';
import { MemoryKeyring } from '../../src/adapters/memory-keyring.ts';
import type { PgliteStore } from '../../src/adapters/pglite-store.ts';
import { type EmbeddedNetwork, openEmbeddedNetwork } from '../../src/roles/embedded-network.ts';
import { keyNameOf } from '../../src/roles/enterprise.ts';
import { enterpriseSubjects, type StatusReply } from '../../src/wire/enterprise-rpc.ts';
import { type SealedMessage, SignedBus } from '../../src/wire/signed-bus.ts';
import { openTestPglite } from '../support/pglite.ts';

const timeoutMs = 5000;

describe('node-to-node bus calls are signed by registered node keys', () => {
  let store: PgliteStore;
  let net: EmbeddedNetwork;
  let raw: MemoryBus;
  const keyring = new MemoryKeyring();
  const broker = new MemoryBroker();
  const subjects = enterpriseSubjects('node_lioncity');
  const sealerFor = (nodeId: string, now?: () => number) =>
    new SignedBus(raw, {
      nodeId,
      keyring,
      keyName: keyNameOf(nodeId),
      lookup: () => undefined,
      ...(now ? { now } : {}),
    });

  before(async () => {
    store = await openTestPglite();
    net = await openEmbeddedNetwork({ store, keyring, broker, pollIntervalMs: 20 });
    raw = broker.connect();
  });
  after(async () => {
    await raw.close();
    await net.close();
    await store.close();
  });

  const refusedWith = async (payload: unknown, code: string, subject: string = subjects.status) => {
    await assert.rejects(raw.request(subject, payload, { timeoutMs }), (e: { code?: string }) => {
      assert.equal(e.code, code);
      return true;
    });
  };

  it('answers a request sealed by a registered master', async () => {
    const master = sealerFor('node_master-2');
    const reply = (await master.request(subjects.status, {}, { timeoutMs })) as StatusReply;
    assert.equal(reply.node_id, 'node_lioncity');
  });

  it('refuses an unsigned request', async () => {
    await refusedWith({}, 'node_unsigned');
    await refusedWith({ scp_node_rpc: 1, from: 'node_master-1', body: '{}' }, 'node_unsigned');
  });

  it('refuses a bad signature: a changed body, a signature by another key, a forged sender', async () => {
    const sealed = await sealerFor('node_master-1').seal(subjects.status, {});
    await refusedWith({ ...sealed, body: '{"x":1}' }, 'node_bad_signature');
    const other = await sealerFor('node_master-2').seal(subjects.status, {});
    await refusedWith({ ...sealed, signature: other.signature }, 'node_bad_signature');
    await refusedWith({ ...other, from: 'node_master-1' }, 'node_bad_signature');
  });

  it('refuses a message signed for another subject', async () => {
    const sealed = await sealerFor('node_master-1').seal(enterpriseSubjects('node_straits').status, {});
    await refusedWith(sealed, 'node_bad_signature');
  });

  it('refuses a message created outside the time window', async () => {
    const stale = await sealerFor('node_master-1', () => Date.now() - 10 * 60_000).seal(subjects.status, {});
    await refusedWith(stale, 'node_signature_expired');
  });

  it('refuses a replayed message', async () => {
    const sealed: SealedMessage = await sealerFor('node_master-3').seal(subjects.status, {});
    const first = (await raw.request(subjects.status, sealed, { timeoutMs })) as StatusReply;
    assert.equal(first.node_id, 'node_lioncity');
    await refusedWith(sealed, 'node_replayed');
  });

  it('refuses a message sealed before the serving node started: its nonce may have been used before a restart', async () => {
    const early = await sealerFor('node_master-1', () => Date.now() - 60_000).seal(subjects.status, {});
    await refusedWith(early, 'node_replayed');
  });

  it('refuses a node the log does not know, even with a well-formed signature', async () => {
    await keyring.ensureKey(keyNameOf('node_intruder'));
    await refusedWith(await sealerFor('node_intruder').seal(subjects.status, {}), 'node_unknown');
  });

  it('refuses a registered enterprise node calling another enterprise node (only masters may)', async () => {
    const straits = await sealerFor('node_straits').seal(subjects.execute, {});
    await refusedWith(straits, 'node_role_refused', subjects.execute);
  });

  it('refuses before the handler runs: an unsigned ingest stores nothing', async () => {
    const before = ((await sealerFor('node_master-1').request(subjects.status, {}, { timeoutMs })) as StatusReply)
      .vaults;
    await refusedWith(
      { vault_id: 'vlt_lioncity-app', records: [{ subject: 'act_x', fields: {} }] },
      'node_unsigned',
      subjects.ingest,
    );
    const afterwards = ((await sealerFor('node_master-1').request(subjects.status, {}, { timeoutMs })) as StatusReply)
      .vaults;
    assert.deepEqual(afterwards, before);
  });
});
