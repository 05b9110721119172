/**
 * The demo: start the embedded network on an ephemeral port, then, over HTTP only, ingest a seeded
 * receipts data set into every Vault, submit compute tasks, follow them to `awaiting_settlement`,
 * close the epoch, wait for 2-of-3 finality and print the settlement, rewards and results.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { SettlementView, TaskResult, TaskView } from '@symphony/api';
import type { RewardRecord } from '@symphony/protocol';
import type { ApiClient } from '../api-client.ts';
import { ApiClientError } from '../api-client-error.ts';
import type { CommandContext } from '../command-context.ts';
import { describeAttestation } from '../format/attestation.ts';
import type { Printer } from '../format/printer.ts';
import { renderRewardSummary, renderRewardsByRole, summarizeRewards } from '../format/rewards.ts';
import { renderSettlement } from '../format/settlement.ts';
import { paintState } from '../format/states.ts';
import { renderTable } from '../format/table.ts';
import { describeTaskOutput } from '../format/task-output.ts';
import { plural } from '../format/text.ts';
import { formatDuration } from '../format/time.ts';
import { KeyStore } from '../keys/key-store.ts';
import { DEMO_ACTOR, localActors } from '../keys/local-actors.ts';
import type { StartStandalone } from '../runtime/standalone.ts';
import { WATCH_STOP_STATES } from '../task-states.ts';
import { waitForSettlement } from '../wait-for-settlement.ts';
import { type DemoTask, demoTasks } from './demo-tasks.ts';
import { demoVerdict } from './demo-verdict.ts';
import { economicsSummary } from './economics-summary.ts';
import { writeExampleRequests } from './example-requests.ts';
import { printExplore } from './explore-hints.ts';
import { generateReceipts, RECEIPT_DOMAIN, RECEIPT_SEMANTIC_VERSION } from './receipts-dataset.ts';
import { createTaskProgress } from './task-progress.ts';

/** The fixed date the demo receipts are generated against (purchases in the 60 days before it). */
export const DEMO_REFERENCE_DATE = '2026-10-31T23:59:59Z';

/** Options of {@link runDemo}. */
export type DemoOptions = {
  /** Data folder; a fresh temporary folder when absent. */
  dataDir?: string;
  seed: number;
  subjects: number;
  receiptsPerSubject: number;
  /** How long to wait for the tasks, and again for the settlement. */
  waitMs: number;
};

/** Consent grants per request. */
const CONSENT_BATCH = 500;
/** The demo's consents last until 2100-01-01 (log time). */
const DEMO_CONSENT_EXPIRY_MS = Date.UTC(2100, 0, 1);

/** Records per ingest request. */
const INGEST_BATCH = 500;
const POLL_MS = 250;
const TOTAL_STEPS = 6;

type SubmittedTask = DemoTask & { task: TaskView; result?: TaskResult };

class DemoInterrupted extends Error {}

/** Runs the demo and returns the exit code: 0 only for a finalized epoch with a root, a quorum and rewards. */
export async function runDemo(
  context: CommandContext,
  startStandalone: StartStandalone,
  options: DemoOptions,
): Promise<number> {
  const { io } = context;
  const log = context.json ? context.err : context.out;
  const { bold, dim, green, red } = log.colors;
  const started = io.now();
  const dataDir = options.dataDir ? resolve(io.cwd, options.dataDir) : await mkdtemp(join(tmpdir(), 'symphony-demo-'));
  let interrupted: string | undefined;
  const unsubscribe = io.onStop((signal) => {
    if (!interrupted) log.line(`${signal}: stopping the demo at the next step…`);
    interrupted = signal;
  });
  const checkInterrupted = (): void => {
    if (interrupted) throw new DemoInterrupted(`interrupted by ${interrupted}`);
  };
  const step = (n: number, text: string): void => {
    log.line();
    log.line(`${dim(`[${n}/${TOTAL_STEPS}]`)} ${bold(text)} ${dim(`+${formatDuration(io.now() - started)}`)}`);
  };

  let network: Awaited<ReturnType<StartStandalone>> | undefined;
  const failures: string[] = [];
  let summary: Record<string, unknown> = {};
  log.line(bold('Symphony demo: the whole network in this process, driven over its HTTP API only'));
  try {
    step(1, 'starting the embedded network');
    log.line(`  data folder ${dataDir}`);
    const demoKey = new KeyStore(join(dataDir, 'cli', 'keys')).ensure(DEMO_ACTOR);
    log.line(`  signing every request as ${demoKey.keyid} (its key: ${join(dataDir, 'cli', 'keys')})`);
    network = await startStandalone({
      dataDir,
      port: 0,
      host: '127.0.0.1',
      logger: false,
      actors: localActors(demoKey),
      onProgress: (text) => log.line(dim(`  · ${text}`)),
    });
    checkInterrupted();
    const client = context.client(network.url, demoKey);
    const view = await client.network();
    const vaultIds = view.enterprise_nodes.flatMap((node) => node.vault_ids);
    log.line(
      `  ${green('up')} at ${network.url}: ${plural(view.masters.length, 'master')}, ${plural(view.enterprise_nodes.length, 'enterprise node')}, ${plural(vaultIds.length, 'Vault')}, epoch ${view.current_epoch}`,
    );
    if (vaultIds.length === 0) throw new Error('the network has no Vaults to ingest into');
    const domain = `${RECEIPT_DOMAIN}@${RECEIPT_SEMANTIC_VERSION}`;
    if (!view.semantic_domains.includes(domain)) {
      log.line(
        `  ${red('warning')}: ${domain} is not among the network's domains (${view.semantic_domains.join(', ')})`,
      );
    }

    step(2, 'ingesting receipts');
    const dataset = generateReceipts({
      seed: options.seed,
      subjects: options.subjects,
      receiptsPerSubject: options.receiptsPerSubject,
      referenceDate: DEMO_REFERENCE_DATE,
      vaultIds,
    });
    log.line(
      `  ${options.subjects} data subjects × ${options.receiptsPerSubject} receipts (${domain}, seed ${options.seed}), spread over ${plural(vaultIds.length, 'Vault')}`,
    );
    const nodeOf = new Map(
      view.enterprise_nodes.flatMap((node) => node.vault_ids.map((id) => [id, node.node_id] as const)),
    );
    const ingestRows: string[][] = [];
    for (const { vaultId, records } of dataset) {
      let accepted = 0;
      let duplicates = 0;
      let recordCount = 0;
      for (let i = 0; i < records.length; i += INGEST_BATCH) {
        const answer = await client.ingestRecords(vaultId, { records: records.slice(i, i + INGEST_BATCH) });
        accepted += answer.accepted;
        duplicates += answer.duplicates;
        recordCount = answer.record_count;
        checkInterrupted();
      }
      const subjects = new Set(records.map((r) => r.subject)).size;
      ingestRows.push([
        `  ${vaultId}`,
        nodeOf.get(vaultId) ?? '?',
        String(subjects),
        String(accepted),
        String(duplicates),
        String(recordCount),
      ]);
    }
    // Every data subject of the demo consents to analytics in each Vault holding its receipts (signed by the
    // Vault's node, appended to the log); records of subjects without a live consent would never contribute.
    let consents = 0;
    for (const { vaultId, records } of dataset) {
      const grants = [...new Set(records.map((r) => r.subject))].map((subject) => ({
        vault_id: vaultId,
        subject,
        scope: 'analytics' as const,
        expires_at_ms: DEMO_CONSENT_EXPIRY_MS,
      }));
      for (let i = 0; i < grants.length; i += CONSENT_BATCH) {
        consents += (await client.grantConsents(grants.slice(i, i + CONSENT_BATCH))).length;
        checkInterrupted();
      }
    }
    log.line(`  ${consents} consents to analytics recorded in the log (one per subject and Vault)`);
    log.line(
      renderTable(
        [
          { header: '  VAULT' },
          { header: 'NODE' },
          { header: 'SUBJECTS', align: 'right' },
          { header: 'ACCEPTED', align: 'right' },
          { header: 'DUPLICATES', align: 'right' },
          { header: 'IN VAULT', align: 'right' },
        ],
        ingestRows,
      ),
    );

    step(3, 'submitting compute tasks (each with an Idempotency-Key)');
    const targets = view.enterprise_nodes
      .filter((node) => node.vault_ids.length > 0)
      .map((node) => ({ nodeId: node.node_id, vaultIds: node.vault_ids }));
    const toSubmit = demoTasks(targets);
    log.line(
      dim(
        `  ${toSubmit.length / targets.length} computations × ${plural(targets.length, 'enterprise node')}: a Compute task runs inside one node's boundary, over that node's Vaults`,
      ),
    );
    const nameWidth = Math.max(...toSubmit.map((t) => t.name.length));
    const examples = await writeExampleRequests(dataDir, toSubmit);
    const submitted: SubmittedTask[] = [];
    for (const demoTask of toSubmit) {
      const idempotencyKey = `demo-${options.seed}-e${view.current_epoch}-${demoTask.name}`;
      const { task } = await client.submitTask(demoTask.request, { idempotencyKey });
      submitted.push({ ...demoTask, task });
      log.line(`  ${task.task_id}  ${demoTask.name.padEnd(nameWidth)}  ${dim(`Idempotency-Key: ${idempotencyKey}`)}`);
    }

    step(4, 'following the tasks through their lifecycle');
    await followTasks(context, log, client, submitted, options.waitMs, checkInterrupted);
    const settled = submitted.filter((s) => s.task.state === 'awaiting_settlement' || s.task.state === 'completed');
    for (const s of submitted) {
      if (!settled.includes(s)) {
        failures.push(
          `task ${s.name} (${s.task.task_id}) ended ${s.task.state}${s.task.reason_code ? ` (${s.task.reason_code})` : ''}`,
        );
      }
    }
    if (settled.length === 0) throw new Error('no task reached awaiting_settlement, so there is nothing to settle');

    step(5, 'closing the epoch and waiting for 2-of-3 finality');
    const closed = await client.closeEpoch();
    log.line(`  closed epoch ${bold(String(closed.closed_epoch))}; epoch ${closed.current_epoch} is open now`);
    const epochs = [
      ...new Set([closed.closed_epoch, ...settled.map((s) => s.task.settle_epoch ?? closed.closed_epoch)]),
    ]
      .filter((epoch) => epoch <= closed.closed_epoch)
      .sort((a, b) => a - b);
    const settlements: SettlementView[] = [];
    for (const epoch of epochs) {
      const waitStarted = io.now();
      const { view: settlement, timedOut } = await waitForSettlement(client, epoch, {
        timeoutMs: options.waitMs,
        intervalMs: POLL_MS,
        now: io.now,
        sleep: async (ms) => {
          checkInterrupted();
          await io.sleep(ms);
        },
        onState: (v) =>
          log.line(
            `  ${dim(`+${formatDuration(io.now() - waitStarted)}`.padStart(8))}  epoch ${epoch}  ${paintState(v.state, log.colors)}${v.signatures.length > 0 ? dim(`  (${plural(v.signatures.length, 'signature')})`) : ''}`,
          ),
      });
      if (!settlement) failures.push(`no settlement of epoch ${epoch} appeared`);
      else settlements.push(settlement);
      if (timedOut)
        failures.push(
          `epoch ${epoch} is still ${settlement?.state ?? 'unknown'} after ${formatDuration(options.waitMs)}`,
        );
    }
    const main = settlements.find((s) => s.epoch_id === closed.closed_epoch) ?? settlements.at(-1);

    step(6, 'settlement, rewards and results');
    const rewards: RewardRecord[] = [];
    for (const epoch of epochs) rewards.push(...(await client.rewards({ epochId: epoch })).rewards);
    for (const s of submitted) {
      s.task = await client.getTask(s.task.task_id);
      try {
        s.result = await client.taskResult(s.task.task_id);
      } catch (error) {
        if (!(error instanceof ApiClientError)) throw error;
      }
    }
    for (const settlement of settlements) {
      log.line();
      log.line(renderSettlement(settlement, log.colors));
    }
    log.line();
    const perAccount = summarizeRewards(rewards);
    log.heading(
      `rewards: ${plural(rewards.length, 'record')} for ${plural(perAccount.length, 'account')} (base units, summed per actor)`,
    );
    if (rewards.length > 0) {
      log.line(renderRewardsByRole(rewards));
      log.line();
      log.line(renderRewardSummary(perAccount, log.colors, { maxDataProducers: 5 }));
      log.line();
      for (const line of await economicsSummary(client, rewards, log.colors)) log.line(line);
    }
    log.line();
    log.heading('task results');
    for (const s of submitted) {
      const output = s.result ? describeTaskOutput(s.result.output) : dim(`(no result: ${s.task.state})`);
      log.line(`  ${s.name.padEnd(nameWidth)}  ${s.title}: ${bold(output)}`);
      log.line(
        dim(
          `    ${s.task.task_id}  ${s.task.state}  fee ${s.task.fee ?? '-'}${s.result ? `  verified ${s.result.verified}  ${describeAttestation(s.result.attestation)}` : ''}`,
        ),
      );
    }

    failures.push(...demoVerdict(main, rewards));
    summary = {
      ok: failures.length === 0,
      failures,
      data_dir: dataDir,
      epoch: main?.epoch_id ?? null,
      settlement: main ?? null,
      settlements,
      rewards: {
        records: rewards.length,
        per_account: perAccount.map((a) => ({
          account: a.account,
          roles: a.roles,
          records: a.records,
          finalized: String(a.finalized),
          pending: String(a.pending),
        })),
      },
      tasks: submitted.map((s) => ({ name: s.name, title: s.title, task: s.task, result: s.result ?? null })),
      examples,
    };
  } catch (error) {
    if (error instanceof DemoInterrupted) {
      log.line();
      log.line(`${red('stopped')}: ${error.message}`);
      return 130;
    }
    throw error;
  } finally {
    unsubscribe();
    if (network) {
      log.line();
      log.line(dim('stopping the network…'));
      await network.close();
    }
  }

  const ok = failures.length === 0;
  if (context.json) context.out.json(summary);
  log.line();
  if (ok) {
    const main = summary.settlement as SettlementView;
    log.line(
      `${green('demo passed')} in ${formatDuration(io.now() - started)}: epoch ${main.epoch_id} ${main.state} with root ${main.statement?.settlement_root ?? main.certificate?.statement.settlement_root}`,
    );
  } else {
    log.line(`${red('demo failed')} after ${formatDuration(io.now() - started)}:`);
    for (const failure of failures) log.line(`  - ${failure}`);
  }
  printExplore(log, dataDir, summary);
  return ok ? 0 : 1;
}

/** Polls every task until each is in a stop state (awaiting_settlement or terminal) or time runs out. */
async function followTasks(
  context: CommandContext,
  log: Printer,
  client: ApiClient,
  tasks: SubmittedTask[],
  waitMs: number,
  checkInterrupted: () => void,
): Promise<void> {
  const { io } = context;
  const stream = context.json ? io.stderr : io.stdout;
  const progress = createTaskProgress(
    log,
    stream,
    tasks.map((t) => t.name),
    io.now,
  );
  const started = io.now();
  try {
    for (const t of tasks) progress.update(t.name, t.task);
    for (;;) {
      const pending = tasks.filter((t) => !WATCH_STOP_STATES.includes(t.task.state));
      if (pending.length === 0) return;
      if (io.now() - started >= waitMs) {
        log.line(`  ${log.colors.red('timeout')}: ${pending.map((t) => `${t.name} still ${t.task.state}`).join(', ')}`);
        return;
      }
      checkInterrupted();
      await io.sleep(POLL_MS);
      await Promise.all(
        pending.map(async (t) => {
          t.task = await client.getTask(t.task.task_id);
          progress.update(t.name, t.task);
        }),
      );
    }
  } finally {
    progress.stop();
  }
}
