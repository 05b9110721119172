/** What to try after the demo: serve its data folder again and the commands worth running. */
import type { TaskView } from '@symphony/api';
import type { Printer } from '../format/printer.ts';
import { networkUrls } from '../runtime/network-urls.ts';

/** Prints how to explore the demo's data once its network has stopped. */
export function printExplore(log: Printer, dataDir: string, summary: Record<string, unknown>): void {
  const { cyan, dim } = log.colors;
  const quoted = shellQuote(dataDir);
  const epoch = typeof summary.epoch === 'number' ? summary.epoch : 1;
  const examples = Array.isArray(summary.examples) ? (summary.examples as string[]) : [];
  const tasks = Array.isArray(summary.tasks) ? (summary.tasks as { task: TaskView }[]) : [];
  const firstTask = tasks[0]?.task.task_id ?? 'TASK_ID';
  const urls = networkUrls('http://127.0.0.1:7070');
  log.line();
  log.heading('explore further');
  log.line(dim(`the demo network has stopped; its data stays in ${dataDir}. Serve it again with:`));
  log.line(`  ${cyan(`export SYMPHONY_HOME=${shellQuote(`${dataDir}/cli`)}`)}  ${dim("# sign as the demo's actor")}`);
  log.line(`  ${cyan(`symphony up --data ${quoted}`)}`);
  log.line(
    dim(
      `then, in another terminal with the same SYMPHONY_HOME (the API answers at ${urls.api}, docs at ${urls.docs}):`,
    ),
  );
  for (const command of [
    'symphony network',
    'symphony task list',
    `symphony task show ${firstTask}`,
    `symphony settlement show ${epoch}`,
    `symphony rewards --epoch ${epoch} --records`,
    `symphony task submit ${shellQuote(String(examples[0] ?? 'task.json'))} --idempotency-key try-1`,
    'symphony task watch <the task id it prints>',
    'symphony epoch close --wait',
  ]) {
    log.line(`  ${cyan(command)}`);
  }
  log.line(
    dim(`or read the raw JSON (requests are signed, so not with curl): symphony --json settlement show ${epoch}`),
  );
  log.line(
    dim(
      `or open the web console at ${urls.api}/console/ and sign in with ${shellQuote(`${dataDir}/cli/keys/act_demo-brand.json`)}`,
    ),
  );
}

/** The text quoted for a POSIX shell when it needs quoting. */
export function shellQuote(text: string): string {
  return /^[\w./@:-]+$/.test(text) ? text : `'${text.replaceAll("'", "'\\''")}'`;
}
