/** `symphony grant issue|revoke|list`: a Vault operator's grants (which submitter may run what on which attributes). */
import type { GrantView } from '@symphony/api';
import { TASK_CLASSES, type TaskClass } from '@symphony/protocol';
import { type Command, InvalidArgumentError, Option } from 'commander';
import type { CommandContext } from '../command-context.ts';
import { renderTable } from '../format/table.ts';
import { formatTimestamp } from '../format/time.ts';
import { parseActorId, parsePositiveInt } from '../option-parsers.ts';
import type { CommandDeps } from './command-deps.ts';
import { parseVaultId } from './consent.ts';

const DAY_MS = 86_400_000;

/** A comma-separated list of task classes. */
function parseClasses(value: string): TaskClass[] {
  const classes = value.split(',').map((c) => c.trim());
  const unknown = classes.filter((c) => !(TASK_CLASSES as readonly string[]).includes(c));
  if (classes.length === 0 || unknown.length > 0)
    throw new InvalidArgumentError(`expected task classes among ${TASK_CLASSES.join(', ')}`);
  return [...new Set(classes)] as TaskClass[];
}

/** A comma-separated list of canonical attribute names. */
function parseAttributes(value: string): string[] {
  const names = value.split(',').map((a) => a.trim());
  if (names.length === 0 || names.some((a) => !/^[a-z][a-z0-9_]{0,63}$/.test(a)))
    throw new InvalidArgumentError('expected attribute names like total_amount,category');
  return [...new Set(names)];
}

function parseGrantId(value: string): string {
  if (!/^grt_[0-9a-z][0-9a-z_-]{0,62}$/.test(value)) throw new InvalidArgumentError('expected a grant id like grt_abc');
  return value;
}

type IssueOptions = { classes: TaskClass[]; attributes: string[]; domain: string; days?: number; id?: string };

/** Registers `grant` with its subcommands. */
export function registerGrant(program: Command, deps: CommandDeps): void {
  const grant = program
    .command('grant')
    .description('Vault grants: which submitter may run which task classes on which attributes (Vault operator)');
  grant
    .command('issue')
    .description('grant a registered actor task classes on attributes of your Vault (signed as its operator)')
    .argument('<vault>', 'Vault id', parseVaultId)
    .argument('<grantee>', 'actor id of the submitter', parseActorId)
    .requiredOption('--classes <list>', 'task classes, comma-separated', parseClasses)
    .requiredOption('--attributes <list>', 'canonical attributes, comma-separated', parseAttributes)
    .addOption(new Option('--domain <domain>', 'semantic domain').default('commerce.receipt'))
    .addOption(new Option('--days <n>', 'days until the grant lapses (default: never)').argParser(parsePositiveInt))
    .addOption(new Option('--id <grant_id>', 'grant id (default: chosen by the node)').argParser(parseGrantId))
    .addHelpText(
      'after',
      '\nExample:\n  $ symphony --as act_lioncity grant issue vlt_lioncity-app act_brand --classes compute,query \\\n' +
        '      --attributes category,total_amount --days 90',
    )
    .action((vault: string, grantee: string, o: IssueOptions, command: Command) =>
      deps.run(command, async (context) => {
        const view = await context.client().issueGrant(vault, {
          grantee,
          task_classes: [...o.classes].sort(),
          domain: o.domain,
          attributes: [...o.attributes].sort(),
          ...(o.days !== undefined ? { expires_at_ms: context.io.now() + o.days * DAY_MS } : {}),
          ...(o.id ? { grant_id: o.id } : {}),
        });
        return printGrants(context, [view]);
      }),
    );
  grant
    .command('revoke')
    .description('revoke a grant: no task admitted afterwards may rely on it')
    .argument('<vault>', 'Vault id', parseVaultId)
    .argument('<grant_id>', 'grant id', parseGrantId)
    .action((vault: string, grantId: string, _o: unknown, command: Command) =>
      deps.run(command, async (context) => printGrants(context, [await context.client().revokeGrant(vault, grantId)])),
    );
  grant
    .command('list')
    .description("list a Vault's grants and how they stand")
    .argument('<vault>', 'Vault id', parseVaultId)
    .addOption(new Option('--grantee <actor>', 'only this grantee').argParser(parseActorId))
    .addOption(new Option('--status <status>', 'only this status').choices(['live', 'revoked', 'expired']))
    .action((vault: string, o: { grantee?: string; status?: 'live' | 'revoked' | 'expired' }, command: Command) =>
      deps.run(command, async (context) => {
        const list = await context.client().listGrants(vault, {
          ...(o.grantee ? { grantee: o.grantee } : {}),
          ...(o.status ? { status: o.status } : {}),
        });
        return printGrants(context, list.grants);
      }),
    );
}

function printGrants(context: CommandContext, grants: GrantView[]): number {
  if (context.json) {
    context.out.json({ grants });
    return 0;
  }
  context.out.line(
    renderTable(
      [
        { header: 'GRANT' },
        { header: 'VAULT' },
        { header: 'GRANTEE' },
        { header: 'CLASSES' },
        { header: 'ATTRIBUTES' },
        { header: 'STATUS' },
        { header: 'EXPIRES' },
      ],
      grants.map((g) => [
        g.grant_id,
        g.vault_id,
        g.grantee,
        g.task_classes.join(','),
        g.attributes.join(','),
        g.status,
        g.expires_at_ms === undefined ? '-' : formatTimestamp(g.expires_at_ms),
      ]),
    ),
  );
  return 0;
}
