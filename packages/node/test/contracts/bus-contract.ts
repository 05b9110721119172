/**
 * The behaviour every `Bus` adapter must have. `describeBusContract` registers a suite; its
 * factory is called once per test and returns two clients on one network (two nodes) and a
 * subject prefix no other test uses.
 */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { Bus, BusMessage } from '../../src/ports/bus.ts';
import { PortError } from '../../src/ports/errors.ts';
import { delay, waitFor } from '../support/wait.ts';

/** Two bus clients on one network, for one test. */
export type BusFixture = {
  /** The client under test. */
  readonly subject: Bus;
  /** Another client on the same network, as another node would hold. */
  readonly peer: Bus;
  /** A subject token unique to this test; every subject the test uses starts with it. */
  readonly prefix: string;
  cleanup(): Promise<void>;
};

/** Options of the suite. */
export type BusContractOptions = { readonly skip?: string | undefined };

const isCode = (code: string) => (e: unknown) => e instanceof PortError && e.code === code;

/** Registers the `Bus` contract suite for one adapter. */
export function describeBusContract(
  name: string,
  factory: () => Promise<BusFixture>,
  opts: BusContractOptions = {},
): void {
  describe(name, { skip: opts.skip ?? false }, () => {
    let fx: BusFixture;
    let bus: Bus;
    let peer: Bus;
    let p: string;
    beforeEach(async () => {
      fx = await factory();
      ({ subject: bus, peer, prefix: p } = fx);
    });
    afterEach(async () => {
      await fx?.cleanup();
    });

    it('publishes to every subscriber on every client, in order, as JSON', async () => {
      const here: BusMessage[] = [];
      const there: BusMessage[] = [];
      await bus.subscribe(`${p}.orders`, (m) => {
        here.push(m);
      });
      await peer.subscribe(`${p}.orders`, async (m) => {
        await delay(1);
        there.push(m);
      });
      const payloads = Array.from({ length: 20 }, (_, i) => ({ i, text: `ünï ${i}`, nested: { list: [i, null] } }));
      for (const payload of payloads) await bus.publish(`${p}.orders`, payload);
      await bus.publish(`${p}.orders`, { when: new Date(0), gone: undefined });
      await bus.publish(`${p}.orders`, undefined);
      await waitFor(() => here.length === 22 && there.length === 22, '22 messages on both clients');
      const expected = [...payloads, { when: '1970-01-01T00:00:00.000Z' }, null];
      assert.deepEqual(
        here.map((m) => m.payload),
        expected,
      );
      assert.deepEqual(
        there.map((m) => m.payload),
        expected,
      );
      assert.ok(here.every((m) => m.subject === `${p}.orders`));
    });

    it('matches subjects with * and > as NATS does', async () => {
      const got: Record<string, string[]> = { star: [], tail: [], middle: [], all: [] };
      const record = (key: string) => (m: BusMessage) => {
        got[key]?.push(m.subject.slice(p.length + 1));
      };
      await bus.subscribe(`${p}.a.*`, record('star'));
      await bus.subscribe(`${p}.a.>`, record('tail'));
      await peer.subscribe(`${p}.*.c`, record('middle'));
      await peer.subscribe(`${p}.>`, record('all'));
      for (const s of ['a', 'a.b', 'a.c', 'a.b.c', 'x.c', 'x.y.c']) await bus.publish(`${p}.${s}`, s);
      await waitFor(() => got.all?.length === 6, 'all six on >');
      await delay(30);
      assert.deepEqual(got, {
        star: ['a.b', 'a.c'],
        tail: ['a.b', 'a.c', 'a.b.c'],
        middle: ['a.c', 'x.c'],
        all: ['a', 'a.b', 'a.c', 'a.b.c', 'x.c', 'x.y.c'],
      });
    });

    it('splits a queue group: each message reaches exactly one member', async () => {
      const byMember = new Map<string, number[]>();
      const plain: number[] = [];
      const member = (id: string) => (m: BusMessage) => {
        byMember.set(id, [...(byMember.get(id) ?? []), m.payload as number]);
      };
      await bus.subscribe(`${p}.work`, member('a'), { queue: 'workers' });
      await bus.subscribe(`${p}.work`, member('b'), { queue: 'workers' });
      await peer.subscribe(`${p}.work`, member('c'), { queue: 'workers' });
      await peer.subscribe(`${p}.work`, (m) => {
        plain.push(m.payload as number);
      });
      const n = 60;
      for (let i = 0; i < n; i++) await bus.publish(`${p}.work`, i);
      const total = () => [...byMember.values()].reduce((sum, list) => sum + list.length, 0);
      await waitFor(() => total() === n && plain.length === n, 'every message handled');
      await delay(50);
      const handled = [...byMember.values()].flat().sort((x, y) => x - y);
      assert.deepEqual(
        handled,
        Array.from({ length: n }, (_, i) => i),
        'each message exactly once in the group',
      );
      assert.equal(byMember.size, 3, 'the work is spread over every member');
      assert.equal(plain.length, n, 'a subscriber outside the group still gets everything');
    });

    it('delivers asynchronously, one message at a time per subscription', async () => {
      let publishing = false;
      let active = 0;
      let maxActive = 0;
      const reentrant: boolean[] = [];
      await bus.subscribe(`${p}.slow`, async () => {
        reentrant.push(publishing);
        active += 1;
        maxActive = Math.max(maxActive, active);
        await delay(5);
        active -= 1;
      });
      publishing = true;
      for (let i = 0; i < 5; i++) await bus.publish(`${p}.slow`, i);
      publishing = false;
      await waitFor(() => reentrant.length === 5 && active === 0, 'five handled');
      assert.equal(maxActive, 1);
      assert.ok(
        reentrant.every((r) => r === false),
        'a handler ran inside publish()',
      );
    });

    it('answers requests, once per request even with a queue group of responders', async () => {
      const served: string[] = [];
      const responder = (id: string) => async (payload: unknown) => {
        served.push(id);
        return { echo: payload, by: id };
      };
      await peer.serve(`${p}.rpc.echo`, responder('one'), { queue: 'echo' });
      await peer.serve(`${p}.rpc.echo`, responder('two'), { queue: 'echo' });
      const replies = await Promise.all(
        Array.from({ length: 10 }, (_, i) => bus.request(`${p}.rpc.echo`, { i }, { timeoutMs: 2000 })),
      );
      assert.deepEqual(
        replies.map((r) => (r as { echo: unknown }).echo),
        Array.from({ length: 10 }, (_, i) => ({ i })),
      );
      assert.equal(served.length, 10);
      await bus.serve(`${p}.rpc.nothing`, async () => undefined);
      assert.equal(await peer.request(`${p}.rpc.nothing`, null, { timeoutMs: 2000 }), null);
    });

    it('serves requests concurrently', async () => {
      let active = 0;
      let maxActive = 0;
      await peer.serve(`${p}.rpc.slow`, async () => {
        active += 1;
        maxActive = Math.max(maxActive, active);
        await delay(30);
        active -= 1;
        return 'ok';
      });
      await Promise.all(Array.from({ length: 4 }, () => bus.request(`${p}.rpc.slow`, null, { timeoutMs: 2000 })));
      assert.ok(maxActive > 1, `requests were answered one at a time (max ${maxActive})`);
    });

    it('carries a typed error to the requester with its code and message, and nothing else', async () => {
      await peer.serve(`${p}.rpc.typed`, async () => {
        throw new PortError('quota_exceeded', 'budget of actor a-1 is spent');
      });
      await peer.serve(`${p}.rpc.untyped`, async () => {
        throw new Error('secret record contents');
      });
      await assert.rejects(bus.request(`${p}.rpc.typed`, null, { timeoutMs: 2000 }), (e: unknown) => {
        assert.ok(e instanceof PortError);
        assert.equal(e.code, 'quota_exceeded');
        assert.equal(e.message, 'budget of actor a-1 is spent');
        assert.ok(!String(e.stack).includes('bus-contract.ts:'), 'no stack of the responder');
        return true;
      });
      await assert.rejects(bus.request(`${p}.rpc.untyped`, null, { timeoutMs: 2000 }), (e: unknown) => {
        assert.ok(e instanceof PortError);
        assert.equal(e.code, 'internal');
        assert.ok(!e.message.includes('secret'), 'an untyped error message leaked');
        return true;
      });
    });

    it('rejects a request nobody serves with no_responders, at once', async () => {
      const started = Date.now();
      await assert.rejects(bus.request(`${p}.rpc.nobody`, null, { timeoutMs: 5000 }), isCode('no_responders'));
      assert.ok(Date.now() - started < 1000, 'no_responders waited for the timeout');
    });

    it('rejects with timeout when no reply comes in time', async () => {
      await peer.subscribe(`${p}.rpc.mute`, () => {});
      await peer.serve(`${p}.rpc.late`, async () => {
        await delay(300);
        return 'too late';
      });
      for (const subject of [`${p}.rpc.mute`, `${p}.rpc.late`]) {
        const started = Date.now();
        await assert.rejects(bus.request(subject, null, { timeoutMs: 100 }), isCode('timeout'));
        const waited = Date.now() - started;
        assert.ok(waited >= 90 && waited < 1000, `waited ${waited} ms`);
      }
    });

    it('stops delivery on unsubscribe', async () => {
      const got: unknown[] = [];
      const sub = await peer.subscribe(`${p}.events`, (m) => {
        got.push(m.payload);
      });
      await bus.publish(`${p}.events`, 1);
      await waitFor(() => got.length === 1, 'the first message');
      await sub.unsubscribe();
      await bus.publish(`${p}.events`, 2);
      await delay(50);
      assert.deepEqual(got, [1]);
      await assert.rejects(bus.request(`${p}.events`, null, { timeoutMs: 2000 }), isCode('no_responders'));
    });

    it('refuses bad subjects and payloads that are not JSON', async () => {
      for (const subject of ['', 'a..b', 'a.*', 'a.>', 'has space', '.a', 'a.']) {
        await assert.rejects(bus.publish(subject, 1), isCode('invalid_subject'), `publish ${subject}`);
      }
      for (const subject of ['a.>.b', 'a b', '']) {
        await assert.rejects(
          bus.subscribe(subject, () => {}),
          isCode('invalid_subject'),
          `subscribe ${subject}`,
        );
      }
      await assert.rejects(bus.publish(`${p}.x`, { n: 1n }), isCode('invalid_payload'));
      const cyclic: Record<string, unknown> = {};
      cyclic.self = cyclic;
      await assert.rejects(bus.request(`${p}.x`, cyclic, { timeoutMs: 100 }), isCode('invalid_payload'));
    });

    it('ends its subscriptions and pending requests on close, leaving other clients alone', async () => {
      const peerGot: unknown[] = [];
      const busGot: unknown[] = [];
      await peer.subscribe(`${p}.after`, (m) => {
        peerGot.push(m.payload);
      });
      await bus.subscribe(`${p}.after`, (m) => {
        busGot.push(m.payload);
      });
      await peer.subscribe(`${p}.rpc.hang`, () => {});
      const pending = assert.rejects(bus.request(`${p}.rpc.hang`, null, { timeoutMs: 5000 }), isCode('closed'));
      await delay(20);
      await bus.close();
      await pending;
      await assert.rejects(bus.publish(`${p}.after`, 1), isCode('closed'));
      await peer.publish(`${p}.after`, 2);
      await waitFor(() => peerGot.length === 1, 'the peer still receives');
      await delay(30);
      assert.deepEqual(busGot, []);
    });
  });
}
