/** Example task request files, so the user can submit their own task after the demo. */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { DemoTask } from './demo-tasks.ts';

/** Writes one request per computation (for the first node) as `<dataDir>/examples/<name>.json`; returns the paths. */
export async function writeExampleRequests(dataDir: string, tasks: readonly DemoTask[]): Promise<string[]> {
  const folder = join(dataDir, 'examples');
  await mkdir(folder, { recursive: true });
  const firstNode = tasks[0]?.nodeId;
  const paths: string[] = [];
  for (const task of tasks.filter((t) => t.nodeId === firstNode)) {
    const path = join(folder, `${task.name}.json`);
    await writeFile(path, `${JSON.stringify(task.request, null, 2)}\n`);
    paths.push(path);
  }
  return paths;
}
