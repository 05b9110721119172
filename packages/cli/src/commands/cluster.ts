/**
 * `symphony node` runs one cluster node in this process; `symphony cluster up|status|down` runs a
 * local cluster (3 masters, enterprise nodes) as separate processes against PostgreSQL and NATS,
 * with one log file per node and a pid file, and stops exactly the processes it started.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { backupCluster, restoreCluster } from '@symphony/node/roles/cluster-backup.ts';
import { readClusterConfig } from '@symphony/node/roles/cluster-config.ts';
import { runClusterNodeProcess } from '@symphony/node/roles/cluster-node-process.ts';
import { isOurs, LocalCluster, PID_FILE, topologyWithEnterprises } from '@symphony/node/roles/local-cluster.ts';
import { type Command, Option } from 'commander';
import type { CommandContext } from '../command-context.ts';
import { paintState } from '../format/states.ts';
import { renderTable } from '../format/table.ts';
import { KeyStore, keyDirOf } from '../keys/key-store.ts';
import { localActors } from '../keys/local-actors.ts';
import { LocalValidationError } from '../validation/local-validation-error.ts';
import type { CommandDeps } from './command-deps.ts';

/** Where `symphony cluster` keeps its folder unless `--dir` says otherwise. */
export const DEFAULT_CLUSTER_DIR = './.data/cluster';

/** Registers `node` and `cluster`. */
export function registerCluster(program: Command, deps: CommandDeps): void {
  program
    .command('node')
    .description('run one cluster node (master or enterprise) in this process, as its config file says')
    .addOption(new Option('--role <role>', 'the node role').choices(['master', 'enterprise']).makeOptionMandatory())
    .requiredOption('--config <file>', 'the node configuration (JSON; see docs/operations.md)')
    .action((options: { role: string; config: string }, command: Command) =>
      deps.run(command, async (context) => {
        const file = resolve(context.io.cwd, options.config);
        await readClusterConfig(file, options.role).catch((error: Error) => {
          throw new LocalValidationError(error.message);
        });
        await runClusterNodeProcess(file, options.role);
        return 0;
      }),
    );

  const cluster = program
    .command('cluster')
    .description('a local cluster: 3 masters and enterprise nodes as separate processes on PostgreSQL and NATS');
  const dirOption = () =>
    new Option('-d, --dir <dir>', 'the cluster folder (configs, keys, logs, pid file)').default(DEFAULT_CLUSTER_DIR);

  cluster
    .command('up')
    .description('start the nodes, wait until each is ready, print the status table')
    .addOption(dirOption())
    .addOption(
      new Option('--database-url <url>', 'PostgreSQL URL allowed to create databases (one per node)')
        .env('DATABASE_URL')
        .default('postgres://postgres@127.0.0.1:5432/postgres'),
    )
    .addOption(
      new Option('--nats-url <url>', 'NATS server with JetStream').env('NATS_URL').default('nats://127.0.0.1:4222'),
    )
    .addOption(new Option('--enterprises <n>', "enterprise nodes (default: the embedded network's 2 nodes, 3 Vaults)"))
    .action((options: { dir: string; databaseUrl: string; natsUrl: string; enterprises?: string }, command: Command) =>
      deps.run(command, async (context) => {
        const dir = resolve(context.io.cwd, options.dir);
        if (existsSync(join(dir, PID_FILE))) {
          const running = (await LocalCluster.attach(dir)).record.nodes.filter(isOurs);
          if (running.length > 0)
            throw new LocalValidationError(
              `a cluster is already running from ${dir} (${running.map((n) => n.node_id).join(', ')}); run symphony cluster down --dir ${options.dir}`,
            );
        }
        const n = options.enterprises === undefined ? undefined : Number(options.enterprises);
        if (n !== undefined && !(Number.isSafeInteger(n) && n >= 1 && n <= 16))
          throw new LocalValidationError('--enterprises must be an integer from 1 to 16');
        const store = new KeyStore(keyDirOf(context.io.env));
        const key = store.ensure(store.defaultActor(context.actor));
        const out = context.json ? context.err : context.out;
        out.line(`starting a cluster in ${dir} (PostgreSQL ${redact(options.databaseUrl)}, NATS ${options.natsUrl})`);
        const started = Date.now();
        const c = await LocalCluster.up({
          dir,
          adminDatabaseUrl: options.databaseUrl,
          natsUrl: options.natsUrl,
          actors: localActors(key),
          ...(n !== undefined ? { topology: topologyWithEnterprises(n) } : {}),
        });
        out.line(
          `cluster ${c.record.network} is up in ${((Date.now() - started) / 1000).toFixed(1)} s; API at ${c.url}`,
        );
        out.line(`signing as ${key.keyid}; use: symphony --api ${c.url} network`);
        return printStatus(context, c);
      }),
    );

  registerClusterRecovery(cluster, deps, dirOption);

  cluster
    .command('status')
    .description('node, role, log position, last finalized epoch and health of every node')
    .addOption(dirOption())
    .action((options: { dir: string }, command: Command) =>
      deps.run(command, async (context) => printStatus(context, await attach(context, options.dir))),
    );

  cluster
    .command('down')
    .description('stop exactly the processes `cluster up` started (SIGTERM, then SIGKILL after 15 s)')
    .addOption(dirOption())
    .option('--purge', "also drop the nodes' databases, the JetStream stream and the folder")
    .action((options: { dir: string; purge?: boolean }, command: Command) =>
      deps.run(command, async (context) => {
        const c = await attach(context, options.dir);
        const stopped = await c.down({ purge: options.purge === true });
        if (options.purge) await c.removeDir();
        if (context.json) context.out.json({ stopped, purged: options.purge === true });
        else
          context.out.line(
            stopped.length > 0
              ? `stopped ${stopped.join(', ')}${options.purge ? '; databases, stream and folder removed' : ''}`
              : 'no node of this cluster was running',
          );
        return 0;
      }),
    );
}

/** Registers `cluster start|backup|restore`. */
function registerClusterRecovery(cluster: Command, deps: CommandDeps, dirOption: () => Option): void {
  cluster
    .command('start')
    .description('start again every node of a stopped (or restored) cluster from its folder')
    .addOption(dirOption())
    .action((options: { dir: string }, command: Command) =>
      deps.run(command, async (context) => {
        const c = await attach(context, options.dir);
        const started = await c.start();
        (context.json ? context.err : context.out).line(`started ${started.join(', ') || 'nothing (all running)'}`);
        return printStatus(context, c);
      }),
    );

  cluster
    .command('backup')
    .description("back up the protocol log (NDJSON), every node's database (pg_dump -Fc) and the cluster folder")
    .addOption(dirOption())
    .requiredOption('-o, --out <dir>', 'the backup folder (created)')
    .action((options: { dir: string; out: string }, command: Command) =>
      deps.run(command, async (context) => {
        const c = await attach(context, options.dir);
        const out = resolve(context.io.cwd, options.out);
        const done = await backupCluster(c, out);
        if (context.json) context.out.json({ out, ...done });
        else {
          context.out.line(`backed up ${done.entries} log entries (head ${done.head_hash ?? '-'})`);
          context.out.line(`databases: ${done.databases.join(', ')}`);
          context.out.line(`into ${out}`);
        }
        return 0;
      }),
    );

  cluster
    .command('restore')
    .description('restore a backup into a cluster folder (databases and stream must not exist), then start it')
    .requiredOption('--from <dir>', 'the backup folder')
    .addOption(dirOption())
    .action((options: { dir: string; from: string }, command: Command) =>
      deps.run(command, async (context) => {
        const dir = resolve(context.io.cwd, options.dir);
        if (existsSync(join(dir, PID_FILE)))
          throw new LocalValidationError(`${dir} already holds a cluster; restore into a new folder`);
        const { cluster, entries } = await restoreCluster(resolve(context.io.cwd, options.from), dir);
        (context.json ? context.err : context.out).line(`restored ${entries} log entries; nodes started`);
        return printStatus(context, cluster);
      }),
    );
}

async function attach(context: CommandContext, dirOpt: string): Promise<LocalCluster> {
  const dir = resolve(context.io.cwd, dirOpt);
  if (!existsSync(join(dir, PID_FILE)))
    throw new LocalValidationError(`no cluster in ${dir} (no ${PID_FILE}); start one with symphony cluster up`);
  return LocalCluster.attach(dir);
}

async function printStatus(context: CommandContext, c: LocalCluster): Promise<number> {
  const status = await c.status();
  if (context.json) {
    context.out.json({ network: c.record.network, nodes: status });
    return 0;
  }
  const { out } = context;
  const rows = status.map((s) => {
    const n = c.node(s.node_id);
    if ('down' in s) return [s.node_id, s.role, '-', '-', paintState('down', out.colors), String(n.pid), n.log_file];
    const failing = Object.entries(s.checks)
      .filter(([, v]) => v !== 'ok')
      .map(([k]) => k);
    const health = s.ready ? 'ok' : `degraded (${failing.join(', ')})`;
    return [
      s.node_id,
      s.role,
      String(s.log_position),
      String(s.last_finalized_epoch),
      s.ready ? paintState('ok', out.colors) : health,
      String(n.pid),
      n.log_file,
    ];
  });
  out.line(
    renderTable(
      [
        { header: 'NODE' },
        { header: 'ROLE' },
        { header: 'LOG POSITION' },
        { header: 'LAST EPOCH' },
        { header: 'HEALTH' },
        { header: 'PID' },
        { header: 'LOG FILE' },
      ],
      rows,
    ),
  );
  return status.every((s) => !('down' in s) && s.ready) ? 0 : 1;
}

function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return url;
  }
}
