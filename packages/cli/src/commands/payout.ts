/** `symphony payout list|show`: payout intents of finalized epochs and their batches. */
import { type Command, InvalidArgumentError } from 'commander';
import type { CommandContext } from '../command-context.ts';
import { renderPairs, renderTable } from '../format/table.ts';
import { groupDigits, plural } from '../format/text.ts';
import { parseActorId, parsePositiveInt } from '../option-parsers.ts';
import type { CommandDeps } from './command-deps.ts';

const BATCH = /^pbt_[1-9][0-9]{0,12}-(0|[1-9][0-9]{0,8})$/;

function parseBatchId(value: string): string {
  if (!BATCH.test(value)) throw new InvalidArgumentError('expected a payout batch id (pbt_<epoch>-<index>)');
  return value;
}

/** Registers `payout`. */
export function registerPayout(program: Command, deps: CommandDeps): void {
  const payout = program.command('payout').description('payout intents of finalized epochs and their batches');
  payout
    .command('list')
    .description('list payout intents and the batches paying them')
    .option('-e, --epoch <n>', 'only this epoch', parsePositiveInt)
    .option('--actor <account>', 'only this account', parseActorId)
    .addHelpText('after', '\nExample:\n  $ symphony payout list --epoch 1')
    .action((options: { epoch?: number; actor?: string }, command: Command) =>
      deps.run(command, (context) => list(context, options)),
    );
  payout
    .command('show')
    .description('show a batch: its claims root, state and claims; with --claim, one claim and its proof')
    .argument('<batch>', 'the batch id (pbt_<epoch>-<index>)', parseBatchId)
    .option('--claim <account>', 'the claim of this account, with its inclusion proof', parseActorId)
    .addHelpText('after', '\nExample:\n  $ symphony payout show pbt_1-0 --claim act_sub-0001')
    .action((batch: string, options: { claim?: string }, command: Command) =>
      deps.run(command, (context) => show(context, batch, options.claim)),
    );
}

async function list(context: CommandContext, options: { epoch?: number; actor?: string }): Promise<number> {
  const view = await context.client().payouts({
    ...(options.epoch !== undefined && { epochId: options.epoch }),
    ...(options.actor !== undefined && { actor: options.actor }),
  });
  const { out } = context;
  if (context.json) {
    out.json(view);
    return 0;
  }
  if (view.intents.length === 0) {
    out.line('no payout intents match (intents appear when an epoch is finalized)');
    out.next([context.cli('epoch list')]);
    return 0;
  }
  out.heading(`payouts: ${plural(view.intents.length, 'intent')}, total ${groupDigits(view.total)} base units`);
  out.line(
    renderTable(
      [
        { header: 'epoch', align: 'right' },
        { header: 'account' },
        { header: 'amount', align: 'right' },
        { header: 'batch' },
        { header: 'state' },
      ],
      view.intents.map((i) => [String(i.epoch_id), i.account, groupDigits(i.amount), i.batch_id ?? '-', i.state]),
    ),
  );
  out.line();
  out.line(
    renderTable(
      [
        { header: 'batch' },
        { header: 'claims', align: 'right' },
        { header: 'total', align: 'right' },
        { header: 'state' },
        { header: 'claims root' },
      ],
      view.batches.map((b) => [b.batch_id, String(b.claim_count), groupDigits(b.total), b.state, b.claims_root]),
    ),
  );
  const first = view.batches[0];
  out.next(first ? [context.cli(`payout show ${first.batch_id}`)] : []);
  return 0;
}

async function show(context: CommandContext, batchId: string, claimant: string | undefined): Promise<number> {
  const client = context.client();
  const { out } = context;
  if (claimant) {
    const proof = await client.payoutClaim(batchId, claimant);
    if (context.json) {
      out.json(proof);
      return 0;
    }
    out.heading(`claim of ${proof.claimant} in ${proof.batch_id}`);
    out.line(
      renderPairs([
        ['epoch', String(proof.epoch_id)],
        ['amount', groupDigits(proof.amount)],
        ['intent', proof.intent_id],
        ['leaf', `${proof.leaf_index} of ${proof.tree_size}`],
        ['claims root', proof.claims_root],
        ['audit path', proof.audit_path.length === 0 ? '(none: single leaf)' : proof.audit_path.join('\n')],
      ]),
    );
    return 0;
  }
  const view = await client.payoutBatch(batchId);
  if (context.json) {
    out.json(view);
    return 0;
  }
  const b = view.batch;
  out.heading(`payout batch ${b.batch_id}`);
  out.line(
    renderPairs([
      ['epoch', String(b.epoch_id)],
      ['state', b.state],
      ['claims', String(b.claim_count)],
      ['total', `${groupDigits(b.total)} base units`],
      ['claims root', b.claims_root],
      ...(b.executed
        ? ([
            ['executed by', b.executed.treasury],
            ['reference', b.executed.reference],
            ['at', new Date(b.executed.time_ms).toISOString()],
          ] as const)
        : []),
    ]),
  );
  out.line();
  out.line(
    renderTable(
      [{ header: 'claimant' }, { header: 'amount', align: 'right' }, { header: 'intent' }],
      view.claims.map((c) => [c.claimant, groupDigits(c.amount), c.intent_id]),
    ),
  );
  const first = view.claims[0];
  out.next(first ? [context.cli(`payout show ${b.batch_id} --claim ${first.claimant}`)] : []);
  return 0;
}
