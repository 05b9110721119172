/** `symphony vault list|show|export-commitments|snapshot`: Vault figures, commitments and snapshot roots. */
import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import type { CommandContext } from '../command-context.ts';
import { renderPairs, renderTable } from '../format/table.ts';
import type { CommandDeps } from './command-deps.ts';

/** Registers `vault`. */
export function registerVault(program: Command, deps: CommandDeps): void {
  const vault = program.command('vault').description('Vaults: record counts, sizes, commitments, snapshot roots');
  vault
    .command('list')
    .description('every Vault with its record count, size and last published snapshot root')
    .action((_o: unknown, command: Command) => deps.run(command, (context) => list(context)));
  vault
    .command('show')
    .argument('<vault_id>')
    .description('one Vault: record count, size, key version, last published snapshot root')
    .action((id: string, _o: unknown, command: Command) => deps.run(command, (context) => show(context, id)));
  vault
    .command('export-commitments')
    .argument('<vault_id>')
    .option('--out <file>', 'write the commitments as JSON to this file instead of stdout')
    .description("export a Vault's salted record commitments and their Merkle root (no record contents)")
    .action((id: string, o: { out?: string }, command: Command) =>
      deps.run(command, (context) => exportCommitments(context, id, o.out)),
    );
  vault
    .command('snapshot')
    .argument('<vault_id>')
    .description("publish the Vault's commitment root for the open epoch in the protocol log")
    .action((id: string, _o: unknown, command: Command) => deps.run(command, (context) => snapshot(context, id)));
}

async function list(context: CommandContext): Promise<number> {
  const { vaults } = await context.client().listVaults();
  if (context.json) {
    context.out.json({ vaults });
    return 0;
  }
  context.out.line(
    renderTable(
      [
        { header: 'VAULT' },
        { header: 'NODE' },
        { header: 'RECORDS' },
        { header: 'BYTES' },
        { header: 'LAST SNAPSHOT' },
      ],
      vaults.map((v) => [
        v.vault_id,
        v.node_id,
        String(v.record_count),
        String(v.size_bytes),
        v.last_snapshot ? `epoch ${v.last_snapshot.epoch_id} ${v.last_snapshot.commitments_root.slice(0, 16)}…` : '-',
      ]),
    ),
  );
  return 0;
}

async function show(context: CommandContext, id: string): Promise<number> {
  const v = await context.client().getVault(id);
  if (context.json) {
    context.out.json(v);
    return 0;
  }
  context.out.heading(`vault ${v.vault_id}`);
  context.out.line(
    renderPairs(
      [
        ['node', v.node_id],
        ['records', String(v.record_count)],
        ['size', `${v.size_bytes} bytes (sealed)`],
        ['key version', String(v.key_version)],
        [
          'last snapshot',
          v.last_snapshot
            ? `epoch ${v.last_snapshot.epoch_id}, ${v.last_snapshot.record_count} records, root ${v.last_snapshot.commitments_root}`
            : 'none published yet',
        ],
      ],
      '  ',
    ),
  );
  return 0;
}

async function exportCommitments(context: CommandContext, id: string, out: string | undefined): Promise<number> {
  const c = await context.client().vaultCommitments(id);
  if (out) {
    await writeFile(out, `${JSON.stringify(c, null, 2)}\n`);
    context.err.line(`wrote ${c.commitments.length} commitments of ${id} (root ${c.root}) to ${out}`);
    return 0;
  }
  context.out.json(c);
  return 0;
}

async function snapshot(context: CommandContext, id: string): Promise<number> {
  const s = await context.client().publishVaultSnapshot(id);
  if (context.json) {
    context.out.json(s);
    return 0;
  }
  context.out.line(
    `published the snapshot of ${s.vault_id} for epoch ${s.epoch_id}: ${s.record_count} records, root ${s.commitments_root} (log entry ${s.log_seq})`,
  );
  return 0;
}
