/**
 * `LocalRoutes`: a message between two thread clients of a served broker is routed on the clients'
 * thread and never reaches the owning thread's broker, unless a route held by the owning thread
 * matches it; then it crosses, so that route gets it by the broker's rules (queue groups included).
 */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { MessageChannel } from 'node:worker_threads';
import { MemoryBroker, type MemoryBus } from '../../src/adapters/memory-bus.ts';
import { LocalRoutes, type ServedBus, serveBus, serveRouteInterest, ThreadBus } from '../../src/adapters/thread-bus.ts';
import type { BusMessage } from '../../src/ports/bus.ts';
import { waitFor } from '../support/wait.ts';

type Fixture = {
  broker: MemoryBroker;
  /** Subjects the owning thread's broker routed. */
  crossed: string[];
  local: LocalRoutes;
  a: ThreadBus;
  b: ThreadBus;
  main: MemoryBus;
  served: ServedBus[];
};

function open(opts: { interest: boolean }): Fixture {
  const broker = new MemoryBroker();
  const crossed: string[] = [];
  const route = broker.route.bind(broker);
  broker.route = (subject, data, reply) => {
    crossed.push(subject);
    return route(subject, data, reply);
  };
  const served: ServedBus[] = [];
  const routes = new MessageChannel();
  // Without interest the list never comes: the clients' thread does not know the other routes.
  if (opts.interest) served.push(serveRouteInterest(broker, routes.port1, 'worker'));
  const local = new LocalRoutes(routes.port2);
  const client = () => {
    const { port1, port2 } = new MessageChannel();
    served.push(serveBus(broker, port1, { owner: 'worker' }));
    return new ThreadBus(port2, { local });
  };
  return { broker, crossed, local, a: client(), b: client(), main: broker.connect(), served };
}

async function close(fx: Fixture): Promise<void> {
  await Promise.all([fx.a.close(), fx.b.close(), fx.main.close()]);
  fx.local.close();
  await Promise.all(fx.served.map((s) => s.close()));
}

describe('thread clients with local routes', () => {
  let fx: Fixture;
  beforeEach(async () => {
    fx = open({ interest: true });
    await waitFor(() => fx.local.routesHere('x'), 'the route list');
  });
  afterEach(async () => {
    await close(fx);
  });

  it('answers a request between two clients of the thread without the owning broker', async () => {
    await fx.b.serve('scs.enterprise.e1.reexecute', (p) => ({ echo: p }));
    const reply = await fx.a.request('scs.enterprise.e1.reexecute', { n: 1 }, { timeoutMs: 2000 });
    assert.deepEqual(reply, { echo: { n: 1 } });
    await fx.a.publish('scs.enterprise.e1.note', { n: 2 });
    assert.deepEqual(fx.crossed, []);
    assert.equal(fx.local.routed, 2);
  });

  it('still answers requests from the owning thread through the broker', async () => {
    await fx.b.serve('scs.enterprise.e1.execute', (p) => ({ echo: p }));
    assert.deepEqual(await fx.main.request('scs.enterprise.e1.execute', 7, { timeoutMs: 2000 }), { echo: 7 });
    assert.deepEqual(fx.crossed, ['scs.enterprise.e1.execute']);
  });

  it('sends a message through the owning broker while a route there matches it, and locally again after', async () => {
    await fx.b.serve('scs.enterprise.e1.reexecute', (p) => ({ echo: p }));
    const seen: BusMessage[] = [];
    const watch = await fx.main.subscribe('scs.enterprise.>', (m) => {
      seen.push(m);
    });
    // Until the new route's message arrives, the clients' thread routes nothing itself.
    assert.equal(fx.local.routesHere('scs.other.subject'), false);
    await waitFor(() => fx.local.routesHere('scs.other.subject'), 'the new route');
    assert.equal(fx.local.routesHere('scs.enterprise.e1.reexecute'), false);
    assert.deepEqual(await fx.a.request('scs.enterprise.e1.reexecute', 1, { timeoutMs: 2000 }), { echo: 1 });
    await waitFor(() => seen.length === 1, 'the message on the owning thread');
    assert.deepEqual(fx.crossed, ['scs.enterprise.e1.reexecute']);
    await watch.unsubscribe();
    await waitFor(() => fx.local.routesHere('scs.enterprise.e1.reexecute'), 'the route removed');
    assert.deepEqual(await fx.a.request('scs.enterprise.e1.reexecute', 2, { timeoutMs: 2000 }), { echo: 2 });
    assert.deepEqual(fx.crossed, ['scs.enterprise.e1.reexecute']);
    assert.equal(seen.length, 1);
  });

  it('keeps a queue group split across both threads: each message reaches exactly one member', async () => {
    const got: string[] = [];
    await fx.b.subscribe('jobs.*', () => void got.push('worker'), { queue: 'q' });
    await fx.main.subscribe('jobs.*', () => void got.push('main'), { queue: 'q' });
    await waitFor(() => fx.local.routesHere('other'), 'the main member');
    for (let i = 0; i < 40; i++) await fx.a.publish(`jobs.${i}`, i);
    await waitFor(() => got.length === 40, 'every message');
    assert.equal(fx.crossed.length, 40);
    assert.ok(got.includes('main') && got.includes('worker'));
  });

  it('answers no_responders at once when nobody on either thread serves the subject', async () => {
    await assert.rejects(fx.a.request('scs.nobody.home', 1, { timeoutMs: 2000 }), { code: 'no_responders' });
    assert.deepEqual(fx.crossed, []);
  });
});

describe('thread clients before the route list arrived', () => {
  it('send everything through the owning broker', async () => {
    const fx = open({ interest: false });
    try {
      await fx.b.serve('scs.enterprise.e1.reexecute', (p) => ({ echo: p }));
      assert.deepEqual(await fx.a.request('scs.enterprise.e1.reexecute', 3, { timeoutMs: 2000 }), { echo: 3 });
      assert.deepEqual(fx.crossed, ['scs.enterprise.e1.reexecute']);
      assert.equal(fx.local.routed, 0);
    } finally {
      await close(fx);
    }
  });
});
