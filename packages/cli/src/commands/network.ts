/** `symphony network`: the masters, enterprise nodes, Vaults and domains, and the node's health. */
import type { Command } from 'commander';
import type { CommandContext } from '../command-context.ts';
import { paintState } from '../format/states.ts';
import { renderPairs, renderTable } from '../format/table.ts';
import { shortHex } from '../format/text.ts';
import type { CommandDeps } from './command-deps.ts';

/** Registers `network`. */
export function registerNetwork(program: Command, deps: CommandDeps): void {
  program
    .command('network')
    .description('show the network: masters, enterprise nodes and their Vaults, semantic domains, health')
    .action((_options: unknown, command: Command) => deps.run(command, (context) => showNetwork(context)));
}

async function showNetwork(context: CommandContext): Promise<number> {
  const client = context.client();
  const [network, health] = await Promise.all([client.network(), client.health()]);
  const { out } = context;
  if (context.json) {
    out.json({ network, health });
    return 0;
  }
  out.heading(`network ${network.network_id} at ${context.apiUrl}: ${paintState(health.status, out.colors)}`);
  out.line(
    renderPairs(
      [
        ['current epoch', String(network.current_epoch)],
        ['log head', String(network.log_head)],
        ['policy', `v${network.policy_version}`],
        ['domains', network.semantic_domains.join(', ') || '-'],
        [
          'checks',
          Object.entries(health.checks)
            .map(([name, state]) => `${name} ${paintState(state, out.colors)}`)
            .join(', '),
        ],
      ],
      '  ',
    ),
  );
  out.line();
  out.line(
    renderTable(
      [{ header: 'NODE' }, { header: 'ROLE' }, { header: 'PUBLIC KEY' }, { header: 'VAULTS / LOG POSITION' }],
      [
        ...network.masters.map((m) => [m.node_id, 'master', shortHex(m.public_key), String(m.log_position)]),
        ...network.enterprise_nodes.map((n) => [
          n.node_id,
          n.enclaves?.some((e) => e.simulated) ? 'enterprise (simulated enclave)' : 'enterprise',
          shortHex(n.public_key),
          n.vault_ids.join(', '),
        ]),
      ],
    ),
  );
  out.next([context.cli('task list'), context.cli('epoch list')]);
  return 0;
}
