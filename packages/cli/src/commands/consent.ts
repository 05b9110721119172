/** `symphony consent grant|revoke|list`: data subjects' consent per usage scope, recorded in the log. */
import { USAGE_SCOPES, type UsageScope } from '@symphony/protocol';
import { type Command, InvalidArgumentError, Option } from 'commander';
import type { CommandContext } from '../command-context.ts';
import { renderTable } from '../format/table.ts';
import { formatTimestamp } from '../format/time.ts';
import { parseActorId, parsePositiveInt } from '../option-parsers.ts';
import type { CommandDeps } from './command-deps.ts';

const DAY_MS = 86_400_000;

/** A Vault id such as `vlt_lioncity-app`. */
export function parseVaultId(value: string): string {
  if (!/^vlt_[0-9a-z][0-9a-z_-]{0,62}$/.test(value))
    throw new InvalidArgumentError('expected a Vault id like vlt_lioncity-app');
  return value;
}

const scopeOption = () =>
  new Option('--scope <scope>', 'usage scope').choices([...USAGE_SCOPES]).default('analytics' satisfies UsageScope);

type GrantOptions = { scope: UsageScope; days: number };
type ListOptions = { vault?: string; subject?: string; scope?: UsageScope };

/** Registers `consent` with its subcommands. */
export function registerConsent(program: Command, deps: CommandDeps): void {
  const consent = program
    .command('consent')
    .description("record, revoke and list data subjects' consent per usage scope (protocol log events)");
  consent
    .command('grant')
    .description("record subjects' consent to a scope in a Vault, signed by the Vault's node")
    .argument('<vault>', 'Vault id', parseVaultId)
    .argument('<subjects...>', 'subject actor ids', (v: string, prev: string[] = []) => [...prev, parseActorId(v)])
    .addOption(scopeOption())
    .addOption(new Option('--days <n>', 'days until the consent lapses').default(365).argParser(parsePositiveInt))
    .addHelpText(
      'after',
      '\nExample:\n  $ symphony consent grant vlt_lioncity-app act_sub-0001 --scope analytics --days 30',
    )
    .action((vault: string, subjects: string[], options: GrantOptions, command: Command) =>
      deps.run(command, async (context) => {
        const expires_at_ms = context.io.now() + options.days * DAY_MS;
        const views = await context
          .client()
          .grantConsents(
            subjects.map((subject) => ({ vault_id: vault, subject, scope: options.scope, expires_at_ms })),
          );
        return printConsents(context, views);
      }),
    );
  consent
    .command('revoke')
    .description('withdraw a consent: every task admitted afterwards excludes the subject')
    .argument('<vault>', 'Vault id', parseVaultId)
    .argument('<subject>', 'subject actor id', parseActorId)
    .addOption(scopeOption())
    .addHelpText('after', '\nExample:\n  $ symphony consent revoke vlt_lioncity-app act_sub-0001 --scope analytics')
    .action((vault: string, subject: string, options: { scope: UsageScope }, command: Command) =>
      deps.run(command, async (context) =>
        printConsents(context, [
          await context.client().revokeConsent({ vault_id: vault, subject, scope: options.scope }),
        ]),
      ),
    );
  consent
    .command('list')
    .description('list consents and how they stand')
    .addOption(new Option('--vault <vault>', 'only this Vault').argParser(parseVaultId))
    .addOption(new Option('--subject <subject>', 'only this subject').argParser(parseActorId))
    .addOption(new Option('--scope <scope>', 'only this scope').choices([...USAGE_SCOPES]))
    .action((options: ListOptions, command: Command) =>
      deps.run(command, async (context) => {
        const list = await context.client().listConsents({
          ...(options.vault ? { vault_id: options.vault } : {}),
          ...(options.subject ? { subject: options.subject } : {}),
          ...(options.scope ? { scope: options.scope } : {}),
        });
        return printConsents(context, list.consents);
      }),
    );
}

function printConsents(
  context: CommandContext,
  consents: Awaited<ReturnType<ReturnType<CommandContext['client']>['listConsents']>>['consents'],
): number {
  if (context.json) {
    context.out.json({ consents });
    return 0;
  }
  context.out.line(
    renderTable(
      [
        { header: 'VAULT' },
        { header: 'SUBJECT' },
        { header: 'SCOPE' },
        { header: 'STATUS' },
        { header: 'EXPIRES' },
        { header: 'REV', align: 'right' },
        { header: 'SEQ', align: 'right' },
      ],
      consents.map((c) => [
        c.vault_id,
        c.subject,
        c.scope,
        c.status,
        c.expires_at_ms === undefined ? '-' : formatTimestamp(c.expires_at_ms),
        String(c.revision),
        String(c.updated_seq),
      ]),
    ),
  );
  return 0;
}
