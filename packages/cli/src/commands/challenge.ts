/**
 * `symphony challenge open|reopen|list|show|replay`: challenge a task result or an epoch settlement with a
 * bond and evidence, follow it, and replay its adjudication in this (fresh) process from the log.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { ChallengeDetail, ChallengeView } from '@symphony/api';
import {
  CHALLENGE_STATES,
  ChallengeEvidence,
  type ChallengeState,
  type Entry,
  replayAdjudication,
} from '@symphony/protocol';
import { type Command, InvalidArgumentError, Option } from 'commander';
import type { CommandContext } from '../command-context.ts';
import { renderTable } from '../format/table.ts';
import { parsePositiveInt, parseTaskId } from '../option-parsers.ts';
import { explainErrors } from '../validation/explain-errors.ts';
import { LocalValidationError } from '../validation/local-validation-error.ts';
import type { CommandDeps } from './command-deps.ts';

/** A challenge id such as `chl_3f2a...`. */
export function parseChallengeId(value: string): string {
  if (!/^chl_[0-9a-z][0-9a-z_-]{0,62}$/.test(value))
    throw new InvalidArgumentError('expected a challenge id like chl_3f2a');
  return value;
}

function parseAmount(value: string): string {
  if (!/^(0|[1-9][0-9]{0,77})$/.test(value)) throw new InvalidArgumentError('expected an integer amount in base units');
  return value;
}

async function readEvidence(file: string, cwd: string): Promise<ChallengeEvidence> {
  let value: unknown;
  try {
    value = JSON.parse(await readFile(resolve(cwd, file), 'utf8'));
  } catch (error) {
    throw new LocalValidationError(`cannot read evidence from ${file}: ${(error as Error).message}`);
  }
  const errors = explainErrors(ChallengeEvidence, value);
  if (errors.length > 0) throw new LocalValidationError(`${file} is not valid challenge evidence`, errors);
  return value as ChallengeEvidence;
}

type OpenOptions = { task?: string; epoch?: number; evidence: string; bond: string; grounds?: string };

/** Registers `challenge` with its subcommands. */
export function registerChallenge(program: Command, deps: CommandDeps): void {
  const challenge = program
    .command('challenge')
    .description('challenge a task result or a settlement with a bond and evidence; follow and replay challenges');
  challenge
    .command('open')
    .description('open a challenge as the acting actor (must be staked; the bond leaves its balance)')
    .addOption(new Option('--task <id>', 'the challenged task').argParser(parseTaskId).conflicts('epoch'))
    .addOption(new Option('--epoch <n>', 'the challenged epoch settlement').argParser(parsePositiveInt))
    .requiredOption(
      '--evidence <file>',
      'JSON evidence (conflicting_receipt, replay_output, group_under_k_min, wrong_settlement_entry, master_equivocation)',
    )
    .option('--bond <amount>', 'bond in base units', parseAmount, '500')
    .option('--grounds <code>', 'reason code (default: the evidence kind)')
    .addHelpText('after', '\nExample:\n  $ symphony challenge open --task tsk_ab12 --evidence replay.json --bond 500')
    .action((options: OpenOptions, command: Command) =>
      deps.run(command, async (context) => {
        if (!options.task && options.epoch === undefined)
          throw new LocalValidationError('name the challenged --task or --epoch');
        const evidence = await readEvidence(options.evidence, context.io.cwd);
        const detail = await context.client().openChallenge({
          target: options.task
            ? { kind: 'task', task_id: options.task }
            : { kind: 'settlement', epoch_id: options.epoch! },
          evidence,
          bond: options.bond,
          ...(options.grounds ? { grounds: options.grounds } : {}),
        });
        return printDetail(context, detail);
      }),
    );
  challenge
    .command('reopen')
    .description('reopen a challenge that closed without penalty with new evidence, inside its window')
    .argument('<id>', 'challenge id', parseChallengeId)
    .requiredOption('--evidence <file>', 'JSON evidence not posted before')
    .action((id: string, options: { evidence: string }, command: Command) =>
      deps.run(command, async (context) => {
        const evidence = await readEvidence(options.evidence, context.io.cwd);
        return printDetail(context, await context.client().reopenChallenge(id, { evidence }));
      }),
    );
  challenge
    .command('list')
    .description('list challenges')
    .addOption(new Option('--state <state>', 'only challenges in this state').choices([...CHALLENGE_STATES]))
    .option('--task <id>', 'only challenges of this task', parseTaskId)
    .option('--epoch <n>', 'only challenges of this epoch', parsePositiveInt)
    .action((options: { state?: string; task?: string; epoch?: number }, command: Command) =>
      deps.run(command, async (context) => {
        const list = await context.client().listChallenges({
          ...(options.state ? { state: options.state as ChallengeState } : {}),
          ...(options.task ? { task_id: options.task } : {}),
          ...(options.epoch !== undefined ? { epoch_id: options.epoch } : {}),
        });
        if (context.json) {
          context.out.json(list);
          return 0;
        }
        if (list.challenges.length === 0) {
          context.out.line('no challenges match');
          return 0;
        }
        context.out.line(renderTable(COLUMNS, list.challenges.map(row)));
        return 0;
      }),
    );
  challenge
    .command('show')
    .description('a challenge with its evidence, findings and adjudication')
    .argument('<id>', 'challenge id', parseChallengeId)
    .action((id: string, _options: unknown, command: Command) =>
      deps.run(command, async (context) => printDetail(context, await context.client().challenge(id))),
    );
  challenge
    .command('replay')
    .description('replay a decided challenge from the log and its evidence in this process; exit 1 unless it matches')
    .argument('<id>', 'challenge id', parseChallengeId)
    .addHelpText('after', '\nExample:\n  $ symphony challenge replay chl_3f2a')
    .action((id: string, _options: unknown, command: Command) =>
      deps.run(command, async (context) => {
        const bundle = await context.client().challengeReplay(id);
        const r = replayAdjudication(bundle.entries as Entry[], id, bundle.evidence, bundle.findings);
        if (!r) throw new LocalValidationError(`the log holds no challenge ${id}`);
        if (context.json) context.out.json({ challenge_id: id, ...r });
        else {
          context.out.heading(`challenge ${id} replayed over ${bundle.entries.length} log entries`);
          context.out.line(`outcome        ${r.adjudication.outcome} (${r.adjudication.reason_code})`);
          if (r.adjudication.accused) context.out.line(`accused        ${r.adjudication.accused}`);
          context.out.line(`decision hash  ${r.decision_hash}`);
          context.out.line(`logged hash    ${r.logged_decision_hash ?? '(none)'}`);
          context.out.line(
            r.matches ? 'the replay reproduces the logged decision' : 'MISMATCH: the replay differs from the log',
          );
        }
        return r.matches ? 0 : 1;
      }),
    );
}

const COLUMNS = ['challenge', 'target', 'state', 'challenger', 'bond'].map((header) => ({ header }));

function row(c: ChallengeView): string[] {
  const target = c.target.kind === 'task' ? c.target.task_id : `epoch ${c.target.epoch_id}`;
  return [c.challenge_id, target, c.state, c.challenger, c.bond];
}

function printDetail(context: CommandContext, detail: ChallengeDetail): number {
  if (context.json) {
    context.out.json(detail);
    return 0;
  }
  const c = detail.challenge;
  context.out.heading(`challenge ${c.challenge_id}: ${c.state}`);
  context.out.line(renderTable(COLUMNS, [row(c)]));
  context.out.line(`history   ${c.history.map((h) => h.state).join(' -> ')}`);
  for (const e of detail.evidence) context.out.line(`evidence  ${e.evidence.kind} ${e.evidence_hash}`);
  if (detail.adjudication)
    context.out.line(`decision  ${detail.adjudication.outcome} (${detail.adjudication.reason_code})`);
  for (const m of c.stake_movements) context.out.line(`ledger    ${m.kind} ${m.account} ${m.field} ${m.delta}`);
  context.out.next([context.cli(`challenge replay ${c.challenge_id}`)]);
  return 0;
}
