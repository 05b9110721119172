/**
 * Drives the embedded network through its HTTP API only (the suite in
 * `support/http-lifecycle-suite.ts`, which the cluster runs unchanged too).
 */
import { MemoryKeyring } from '../../src/adapters/memory-keyring.ts';
import { createHttpServer } from '../../src/application/http-server.ts';
import { openEmbeddedNetwork } from '../../src/roles/embedded-network.ts';
import { httpLifecycleSuite, suiteActors } from '../support/http-lifecycle-suite.ts';
import { openTestPglite } from '../support/pglite.ts';

httpLifecycleSuite('HTTP API: one task through a full epoch', async () => {
  const store = await openTestPglite();
  const net = await openEmbeddedNetwork({
    store,
    keyring: new MemoryKeyring(),
    pollIntervalMs: 20,
    actors: suiteActors(),
  });
  const http = await createHttpServer(net.coordinator.service);
  const base = await http.listen({ port: 0, host: '127.0.0.1' });
  return {
    base,
    headSeq: async () => net.coordinator.follower.state.head?.seq,
    async close() {
      await http.close();
      await net.close();
      await store.close();
    },
  };
});
