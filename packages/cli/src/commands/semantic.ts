/**
 * `symphony semantic ...`: read the registry, declare a Vault's mapping, propose and promote
 * candidate attributes, and show a task's resolution artifact.
 */
import { compareVersions } from '@symphony/protocol';
import { type Command, InvalidArgumentError, Option } from 'commander';
import type { CommandContext } from '../command-context.ts';
import { renderTable } from '../format/table.ts';
import { parsePositiveInt, parseTaskId } from '../option-parsers.ts';
import type { CommandDeps } from './command-deps.ts';
import { parseVaultId } from './consent.ts';

/** `attribute=rule`, e.g. `total_amount=sum(items.price)`. */
function parseRule(value: string, previous: { attribute: string; derivation: string }[] = []) {
  const i = value.indexOf('=');
  if (i < 1) throw new InvalidArgumentError('expected attribute=rule, e.g. total_amount=sum(items.price)');
  return [...previous, { attribute: value.slice(0, i).trim(), derivation: value.slice(i + 1).trim() }];
}

const ATTRIBUTE_TYPES = ['string', 'integer', 'decimal', 'timestamp', 'boolean', 'category'] as const;
const SENSITIVITIES = ['public', 'personal', 'identifying'] as const;
const AGGREGATIONS = ['count', 'sum', 'mean', 'quantile', 'histogram', 'group_by', 'filter'] as const;

type ProposeOptions = {
  domain: string;
  name: string;
  type: (typeof ATTRIBUTE_TYPES)[number];
  sensitivity: (typeof SENSITIVITIES)[number];
  aggregations: string;
  unit?: string;
};

/** Registers `semantic` with its subcommands. */
export function registerSemantic(program: Command, deps: CommandDeps): void {
  const semantic = program
    .command('semantic')
    .description('the semantic registry: domains, Vault mappings, candidate attributes and their promotion');
  semantic
    .command('domains')
    .description('list every published domain version')
    .action((_o: unknown, command: Command) =>
      deps.run(command, async (context) => {
        const list = await context.client().semanticDomains();
        if (context.json) return print(context, list);
        context.out.line(
          renderTable(
            [{ header: 'DOMAIN' }, { header: 'VERSION' }, { header: 'ATTRIBUTES' }],
            list.domains.map((d) => [d.domain, d.semantic_version, d.attributes.map((a) => a.name).join(', ')]),
          ),
        );
        return 0;
      }),
    );
  semantic
    .command('show')
    .description('one domain at one version, attribute by attribute')
    .argument('<domain@version>', 'e.g. commerce.receipt@1.0.0')
    .action((ref: string, _o: unknown, command: Command) =>
      deps.run(command, async (context) => {
        const [domain, version] = ref.split('@');
        if (!domain || !version) throw new InvalidArgumentError('expected domain@version');
        const d = await context.client().semanticDomain(domain, version);
        if (context.json) return print(context, d);
        context.out.line(
          renderTable(
            [
              { header: 'ATTRIBUTE' },
              { header: 'TYPE' },
              { header: 'UNIT' },
              { header: 'SENSITIVITY' },
              { header: 'AGGREGATIONS' },
            ],
            d.attributes.map((a) => [a.name, a.type, a.unit ?? '-', a.sensitivity, a.aggregations.join(', ')]),
          ),
        );
        return 0;
      }),
    );
  semantic
    .command('map')
    .description("declare how a Vault's local fields derive a domain's attributes")
    .argument('<vault>', 'Vault id', parseVaultId)
    .requiredOption('--domain <domain@version>', 'the domain version the mapping targets')
    .requiredOption('--rule <attribute=rule>', 'one per attribute (repeatable)', parseRule)
    .addHelpText(
      'after',
      '\nExample:\n  $ symphony semantic map vlt_lioncity-app --domain commerce.receipt@1.0.0 \\\n      --rule total_amount=sum(items.price) --rule merchant=shop_name',
    )
    .action(
      (
        vault: string,
        options: { domain: string; rule: { attribute: string; derivation: string }[] },
        command: Command,
      ) =>
        deps.run(command, async (context) => {
          const [domain, semantic_version] = options.domain.split('@');
          if (!domain || !semantic_version) throw new InvalidArgumentError('--domain expects domain@version');
          return print(
            context,
            await context.client().declareMapping(vault, { domain, semantic_version, fields: options.rule }),
          );
        }),
    );
  semantic
    .command('propose')
    .description('propose a local attribute of a Vault as a candidate for the registry')
    .argument('<vault>', 'Vault id', parseVaultId)
    .requiredOption('--domain <domain>', 'the domain, e.g. commerce.receipt')
    .requiredOption('--name <attribute>', 'attribute name')
    .addOption(new Option('--type <type>', 'value type').choices([...ATTRIBUTE_TYPES]).makeOptionMandatory())
    .addOption(new Option('--sensitivity <level>', 'sensitivity').choices([...SENSITIVITIES]).default('personal'))
    .option('--aggregations <list>', `comma-separated: ${AGGREGATIONS.join(', ')}`, 'count,filter')
    .option('--unit <unit>', 'unit, e.g. currency')
    .action((vault: string, o: ProposeOptions, command: Command) =>
      deps.run(command, async (context) => {
        const aggregations = o.aggregations.split(',').map((a) => a.trim()) as (typeof AGGREGATIONS)[number][];
        const view = await context.client().proposeCandidate({
          vault_id: vault,
          domain: o.domain,
          attribute: {
            name: o.name,
            type: o.type,
            sensitivity: o.sensitivity,
            aggregations,
            ...(o.unit ? { unit: o.unit } : {}),
          },
        });
        return print(context, view);
      }),
    );
  semantic
    .command('candidates')
    .description('candidate attributes per epoch window, with the Vaults that proposed them')
    .addOption(new Option('--epoch <n>', 'only this epoch').argParser(parsePositiveInt))
    .action((o: { epoch?: number }, command: Command) =>
      deps.run(command, async (context) => {
        const list = await context.client().listCandidates(o.epoch);
        if (context.json) return print(context, list);
        context.out.line(
          renderTable(
            [
              { header: 'EPOCH', align: 'right' },
              { header: 'DOMAIN' },
              { header: 'ATTRIBUTE' },
              { header: 'VAULTS', align: 'right' },
              { header: 'PROMOTED' },
            ],
            list.candidates.map((c) => [
              String(c.epoch_id),
              c.domain,
              c.attribute.name,
              String(c.vaults.length),
              c.promoted_to ?? '-',
            ]),
          ),
        );
        context.out.line(context.out.colors.dim(`promotion needs ${list.min_vaults} Vaults in one closed epoch`));
        return 0;
      }),
    );
  semantic
    .command('promote')
    .description("governance: promote a closed epoch's candidates into a new semantic_version")
    .requiredOption('--domain <domain@version>', 'the domain version to extend')
    .requiredOption('--to <version>', 'the new semantic_version')
    .requiredOption('--epoch <n>', 'the epoch window of the candidates', parsePositiveInt)
    .requiredOption('--attribute <name...>', 'candidate attributes to promote')
    .addHelpText(
      'after',
      '\nExample:\n  $ symphony semantic promote --domain commerce.receipt@1.0.0 --to 1.1.0 --epoch 1 --attribute payment_method',
    )
    .action((o: { domain: string; to: string; epoch: number; attribute: string[] }, command: Command) =>
      deps.run(command, async (context) => {
        const [domain, from_version] = o.domain.split('@');
        if (!domain || !from_version) throw new InvalidArgumentError('--domain expects domain@version');
        if (compareVersions(o.to, from_version) <= 0)
          throw new InvalidArgumentError('--to must be newer than the domain version');
        const d = await context.client().promoteCandidates({
          domain,
          from_version,
          semantic_version: o.to,
          epoch_id: o.epoch,
          attributes: o.attribute,
        });
        return print(context, d);
      }),
    );
  semantic
    .command('resolution')
    .description("a task's resolution artifact (what each Vault serves for each attribute) and its hash")
    .argument('<task>', 'task id', parseTaskId)
    .action((task: string, _o: unknown, command: Command) =>
      deps.run(command, async (context) => print(context, await context.client().taskResolution(task))),
    );
}

function print(context: CommandContext, value: unknown): number {
  context.out.json(value);
  return 0;
}
