/** `symphony stake deposit|withdraw|show`: bond stake, unbond and withdraw it, and read it. */
import type { StakeView } from '@symphony/api';
import { type Command, InvalidArgumentError } from 'commander';
import type { CommandContext } from '../command-context.ts';
import { renderPairs, renderTable } from '../format/table.ts';
import { groupDigits } from '../format/text.ts';
import { parseActorId } from '../option-parsers.ts';
import type { CommandDeps } from './command-deps.ts';

const AMOUNT = /^(0|[1-9][0-9]{0,77})$/;

function parseAmountArg(value: string): string {
  if (!AMOUNT.test(value)) throw new InvalidArgumentError('expected an amount in base units (a non-negative integer)');
  return value;
}

type ActorOption = { actor?: string };

/** Registers `stake`. */
export function registerStake(program: Command, deps: CommandDeps): void {
  const stake = program.command('stake').description('bond, unbond and withdraw stake (SYM base units)');
  stake
    .command('deposit')
    .description('bond part of the spendable balance as stake')
    .argument('<amount>', 'base units', parseAmountArg)
    .option('--actor <account>', 'the staking actor (default: the signing actor)', parseActorId)
    .addHelpText('after', '\nExample:\n  $ symphony stake deposit 100000 --as act_exec-1')
    .action((amount: string, options: ActorOption, command: Command) =>
      deps.run(command, async (context) => {
        const view = await context.client().depositStake({ actor_id: actorOf(context, options), amount });
        return print(context, view);
      }),
    );
  stake
    .command('withdraw')
    .description('start unbonding AMOUNT; with --complete, release every amount whose unbonding period has passed')
    .argument('[amount]', 'base units to unbond', parseAmountArg)
    .option('--complete', 'release unbonded stake to the balance')
    .option('--actor <account>', 'the staking actor (default: the signing actor)', parseActorId)
    .addHelpText('after', '\nExamples:\n  $ symphony stake withdraw 50000\n  $ symphony stake withdraw --complete')
    .action((amount: string | undefined, options: ActorOption & { complete?: boolean }, command: Command) =>
      deps.run(command, async (context) => {
        const actor_id = actorOf(context, options);
        if (options.complete) return print(context, await context.client().withdrawStake(actor_id));
        if (amount === undefined) throw new Error('give an amount to unbond, or --complete');
        return print(context, await context.client().unbondStake({ actor_id, amount }));
      }),
    );
  stake
    .command('show')
    .description('show balance, escrow, stake, unbonding amounts and role minimums')
    .argument('[actor]', 'the actor (default: the signing actor)', parseActorId)
    .action((actor: string | undefined, _options: unknown, command: Command) =>
      deps.run(command, async (context) => print(context, await context.client().stake(actor ?? actorOf(context, {})))),
    );
}

function actorOf(context: CommandContext, options: ActorOption): string {
  const actor = options.actor ?? context.signer()?.keyid;
  if (!actor) throw new Error('name the actor with --actor or sign with --as');
  return actor;
}

function print(context: CommandContext, view: StakeView): number {
  const { out } = context;
  if (context.json) {
    out.json(view);
    return 0;
  }
  out.heading(`stake of ${view.actor_id}`);
  out.line(
    renderPairs([
      ['balance', groupDigits(view.balance)],
      ['escrowed', groupDigits(view.escrowed)],
      ['spendable', groupDigits(view.spendable)],
      ['stake', groupDigits(view.stake)],
      ['unbonding period', `${view.unbonding_period_ms} ms`],
    ]),
  );
  if (view.unbonding.length > 0) {
    out.line();
    out.line(
      renderTable(
        [{ header: 'unbonding', align: 'right' }, { header: 'released at' }],
        view.unbonding.map((u) => [groupDigits(u.amount), new Date(u.release_at_ms).toISOString()]),
      ),
    );
  }
  out.line();
  out.line(
    renderTable(
      [{ header: 'role' }, { header: 'minimum', align: 'right' }, { header: 'met' }],
      view.roles.map((r) => [r.role, groupDigits(r.min_stake), r.compliant ? 'yes' : 'no']),
    ),
  );
  return 0;
}
