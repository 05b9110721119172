/** Pagination helpers over cursor-paged routes (`next_cursor` in, `cursor` out). */
import type { TaskListQuery, TaskView } from '@symphony/api';
import type { SymphonyClient } from './client.ts';

/** Pages of any cursor-paged listing: calls `fetchPage` with the previous page's cursor until there is none. */
export async function* pages<P extends { next_cursor?: string | undefined }>(
  fetchPage: (cursor: string | undefined) => Promise<P>,
): AsyncGenerator<P> {
  let cursor: string | undefined;
  const seen = new Set<string>();
  do {
    const page = await fetchPage(cursor);
    yield page;
    cursor = page.next_cursor;
    if (cursor !== undefined) {
      if (seen.has(cursor)) throw new Error(`the server returned cursor ${cursor} twice`);
      seen.add(cursor);
    }
  } while (cursor !== undefined);
}

/** Every task matching `query` (state, class, page size), page after page. */
export async function* allTasks(
  client: SymphonyClient,
  query: Omit<TaskListQuery, 'cursor'> = {},
): AsyncGenerator<TaskView> {
  for await (const page of pages((cursor) =>
    client.listTasks({ ...query, ...(cursor !== undefined ? { cursor } : {}) }),
  ))
    yield* page.tasks;
}

/** Collects an async iterable into an array (stops after `max` items when given). */
export async function collect<T>(items: AsyncIterable<T>, max = Number.POSITIVE_INFINITY): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) {
    out.push(item);
    if (out.length >= max) break;
  }
  return out;
}
