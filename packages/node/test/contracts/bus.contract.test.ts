/**
 * The `Bus` contract against every adapter: memory, NATS, the cluster's subject-prefixing decorator,
 * another thread's broker (with and without the client thread's local routes).
 */
import { after } from 'node:test';
import { MessageChannel } from 'node:worker_threads';
import { MemoryBroker } from '../../src/adapters/memory-bus.ts';
import { NatsBus } from '../../src/adapters/nats-bus.ts';
import { PrefixedBus } from '../../src/adapters/prefixed-bus.ts';
import { LocalRoutes, type ServedBus, serveBus, serveRouteInterest, ThreadBus } from '../../src/adapters/thread-bus.ts';
import { connectTestNats, requireUrl, serviceGate, type TestNats, uniqueName } from '../support/services.ts';
import { waitFor } from '../support/wait.ts';
import { describeBusContract } from './bus-contract.ts';

describeBusContract('memory', async () => {
  const broker = new MemoryBroker();
  const subject = broker.connect();
  const peer = broker.connect();
  return {
    subject,
    peer,
    prefix: uniqueName('bus'),
    async cleanup() {
      await Promise.all([subject.close(), peer.close()]);
    },
  };
});

const natsGate = serviceGate('nats');
let nats: Promise<TestNats> | undefined;
after(async () => {
  // A failed connect (a missing service under CI) has already failed the tests that needed it.
  await (await nats?.catch(() => undefined))?.cleanup();
});
describeBusContract(
  'nats',
  async () => {
    nats ??= connectTestNats(requireUrl(natsGate));
    const n = await nats;
    // Two connections: the clients are two nodes, as in a cluster.
    const [a, b] = await Promise.all([n.connect(), n.connect()]);
    const subject = new NatsBus({ connection: a });
    const peer = new NatsBus({ connection: b });
    return {
      subject,
      peer,
      prefix: uniqueName(n.prefix),
      async cleanup() {
        await Promise.all([subject.close(), peer.close()]);
        await Promise.all([a.close(), b.close()]);
      },
    };
  },
  { skip: natsGate.skip },
);

describeBusContract('prefixed (over memory)', async () => {
  const broker = new MemoryBroker();
  const network = uniqueName('net');
  const subject = new PrefixedBus(broker.connect(), network);
  const peer = new PrefixedBus(broker.connect(), network);
  return {
    subject,
    peer,
    prefix: uniqueName('bus'),
    async cleanup() {
      await Promise.all([subject.close(), peer.close()]);
    },
  };
});

// Clients of a broker served over a MessagePort (both ends on this thread here; the embedded
// network's pipeline worker is the other thread): against a client on the broker's own thread,
// and against another thread client.
for (const peerKind of ['memory', 'thread'] as const) {
  describeBusContract(`thread client of a served broker, peer on ${peerKind}`, async () => {
    const broker = new MemoryBroker();
    const served: ServedBus[] = [];
    const client = () => {
      const { port1, port2 } = new MessageChannel();
      served.push(serveBus(broker, port1));
      return new ThreadBus(port2);
    };
    const subject = client();
    const peer = peerKind === 'memory' ? broker.connect() : client();
    return {
      subject,
      peer,
      prefix: uniqueName('bus'),
      async cleanup() {
        await Promise.all([subject.close(), peer.close()]);
        await Promise.all(served.map((s) => s.close()));
      },
    };
  });
}

// The same with the client thread's local routes (the pipeline worker's set-up): between two
// thread clients messages are routed on their thread; against a client on the broker's thread
// they cross, since that thread's routes are known to the clients' thread.
for (const peerKind of ['memory', 'thread'] as const) {
  describeBusContract(`thread client with local routes, peer on ${peerKind}`, async () => {
    const broker = new MemoryBroker();
    const served: ServedBus[] = [];
    const routes = new MessageChannel();
    served.push(serveRouteInterest(broker, routes.port1, 'clients'));
    const local = new LocalRoutes(routes.port2);
    const client = () => {
      const { port1, port2 } = new MessageChannel();
      served.push(serveBus(broker, port1, { owner: 'clients' }));
      return new ThreadBus(port2, { local });
    };
    const subject = client();
    const peer = peerKind === 'memory' ? broker.connect() : client();
    // Until the route list arrives everything crosses; wait for it so the local path is the one tested.
    await waitFor(() => local.routesHere('no.route.here'), 'the route list');
    return {
      subject,
      peer,
      prefix: uniqueName('bus'),
      async cleanup() {
        await Promise.all([subject.close(), peer.close()]);
        local.close();
        await Promise.all(served.map((s) => s.close()));
      },
    };
  });
}
