/** The `Bus` contract against every adapter: memory, NATS, and the cluster's subject-prefixing decorator. */
import { after } from 'node:test';
import { MemoryBroker } from '../../src/adapters/memory-bus.ts';
import { NatsBus } from '../../src/adapters/nats-bus.ts';
import { PrefixedBus } from '../../src/adapters/prefixed-bus.ts';
import { connectTestNats, requireUrl, serviceGate, type TestNats, uniqueName } from '../support/services.ts';
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
