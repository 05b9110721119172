/**
 * Drives the embedded network through its HTTP API only (the suite in
 * `support/http-lifecycle-suite.ts`, which the cluster runs unchanged too), with every node on
 * one thread and with the pipeline in a worker thread.
 */
import { MemoryKeyring } from '../../src/adapters/memory-keyring.ts';
import { createHttpServer } from '../../src/application/http-server.ts';
import { openEmbeddedNetwork } from '../../src/roles/embedded-network.ts';
import { httpLifecycleSuite, suiteActors } from '../support/http-lifecycle-suite.ts';
import { openTestPglite, pgliteTemplate } from '../support/pglite.ts';

for (const threads of [1, 2] as const)
  httpLifecycleSuite(
    `HTTP API: one task through a full epoch${threads === 2 ? ' (pipeline in a worker thread)' : ''}`,
    async () => {
      const store = await openTestPglite();
      const net = await openEmbeddedNetwork({
        store,
        keyring: new MemoryKeyring(),
        pollIntervalMs: 20,
        actors: suiteActors(),
        ...(threads === 2 ? { pipelineThread: { store: { loadDataDir: await pgliteTemplate() } } } : {}),
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
    },
  );
