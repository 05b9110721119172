/** `watchSettlement`: an async iterator of an epoch's settlement as it moves to `finalized` or `failed`. */
import type { SettlementView } from '@symphony/api';
import type { SymphonyClient } from './client.ts';
import { SymphonyApiError } from './errors.ts';

/**
 * Yields the epoch's settlement whenever its state, attempt or signature count changes, and ends
 * after `finalized` or `failed`. A settlement not yet recorded (404 right after a close) is waited for.
 */
export async function* watchSettlement(
  client: SymphonyClient,
  epochId: number,
  options: { intervalMs?: number; signal?: AbortSignal } = {},
): AsyncGenerator<SettlementView> {
  let last = '';
  while (!options.signal?.aborted) {
    let view: SettlementView | undefined;
    try {
      view = await client.getSettlement(epochId);
    } catch (error) {
      if (!(error instanceof SymphonyApiError && error.code === 'not_found')) throw error;
    }
    if (view) {
      const key = `${view.state}/${view.attempt}/${view.signatures.length}`;
      if (key !== last) yield view;
      last = key;
      if (view.state === 'finalized' || view.state === 'failed') return;
    }
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 250));
  }
}
