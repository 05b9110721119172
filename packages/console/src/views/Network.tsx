/** The network: masters with their log positions, enterprise nodes and their enclaves, health, epoch. */
import { Empty, ErrorState, Hash, Loading, Pairs } from '../components.tsx';
import type { Session } from '../session.ts';
import { usePoll } from '../use-poll.ts';

export function Network({ session }: { session: Session }) {
  const net = usePoll(() => session.client.getNetwork(), [session]);
  const health = usePoll(() => session.client.getHealth(), [session]);
  if (net.error) return <ErrorState error={net.error} onRetry={net.refresh} />;
  if (!net.data) return <Loading what="the network" />;
  const n = net.data;
  return (
    <section aria-labelledby="network-title">
      <h1 id="network-title">Network</h1>
      <Pairs
        rows={[
          ['network', <code key="n">{n.network_id}</code>],
          [
            'health',
            health.data ? (
              <span key="h" className={`badge health-${health.data.status}`}>
                {health.data.status}
              </span>
            ) : (
              '…'
            ),
          ],
          ['log head', n.log_head],
          ['current epoch', n.current_epoch],
          ['policy version', n.policy_version],
          ['semantic domains', n.semantic_domains.join(', ') || '—'],
        ]}
      />
      {health.data && Object.values(health.data.checks).includes('failing') && (
        <div className="notice error" role="alert">
          Failing checks:{' '}
          {Object.entries(health.data.checks)
            .filter(([, v]) => v === 'failing')
            .map(([k]) => k)
            .join(', ')}
          . Look at the node's logs.
        </div>
      )}
      <h2>Masters</h2>
      <div className="table-wrap">
        <table>
          <thead>
            <tr>
              <th scope="col">node</th>
              <th scope="col">log position</th>
              <th scope="col">behind head</th>
              <th scope="col">public key</th>
            </tr>
          </thead>
          <tbody>
            {n.masters.map((m) => (
              <tr key={m.node_id}>
                <td>{m.node_id}</td>
                <td>{m.log_position}</td>
                <td>{Math.max(0, n.log_head - m.log_position)}</td>
                <td>
                  <Hash value={m.public_key} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <h2>Enterprise nodes</h2>
      {n.enterprise_nodes.length === 0 ? (
        <Empty title="No enterprise nodes">Vaults live on enterprise nodes; this network registered none.</Empty>
      ) : (
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">node</th>
                <th scope="col">Vaults</th>
                <th scope="col">enclaves</th>
              </tr>
            </thead>
            <tbody>
              {n.enterprise_nodes.map((e) => (
                <tr key={e.node_id}>
                  <td>{e.node_id}</td>
                  <td>{e.vault_ids.join(', ')}</td>
                  <td>
                    {(e.enclaves ?? []).map((x) => `${x.provider}${x.simulated ? ' (simulated)' : ''}`).join(', ') ||
                      '—'}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
