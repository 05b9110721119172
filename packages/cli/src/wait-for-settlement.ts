/** Polls an epoch's settlement until it is finalized or failed. */
import type { SettlementView } from '@symphony/api';
import type { ApiClient } from './api-client.ts';
import { ApiClientError } from './api-client-error.ts';

/** Options of {@link waitForSettlement}. */
export type WaitForSettlementOptions = {
  timeoutMs: number;
  intervalMs: number;
  now(): number;
  sleep(ms: number): Promise<void>;
  /** Called once per state the settlement is seen in. */
  onState?: (view: SettlementView) => void;
};

/** The outcome: the last view seen, and whether the wait ended by timeout. */
export type SettlementWait = { view: SettlementView | undefined; timedOut: boolean };

/** Polls `GET /v1/epochs/:id/settlement` until `finalized` or `failed`, or until the timeout. */
export async function waitForSettlement(
  client: ApiClient,
  epochId: number,
  options: WaitForSettlementOptions,
): Promise<SettlementWait> {
  const started = options.now();
  let view: SettlementView | undefined;
  let lastKey = '';
  for (;;) {
    try {
      view = await client.settlement(epochId);
    } catch (error) {
      // The settlement record may appear a moment after the close is acknowledged.
      if (!(error instanceof ApiClientError && error.code === 'not_found')) throw error;
    }
    if (view) {
      const key = `${view.state}/${view.attempt}/${view.signatures.length}`;
      if (key !== lastKey) options.onState?.(view);
      lastKey = key;
      if (view.state === 'finalized' || view.state === 'failed') return { view, timedOut: false };
    }
    if (options.now() - started >= options.timeoutMs) return { view, timedOut: true };
    await options.sleep(options.intervalMs);
  }
}
