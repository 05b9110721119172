/**
 * Holds a query's reply until the end of its release slot (`releaseSlotEnd`), read on the node's
 * clock: the reply of a query whose groups were suppressed leaves at the same slot end as the reply
 * of the same query over data where those groups are absent, whatever the few steps in between
 * cost. Polls the clock (a manual clock in tests moves only when told to).
 */
import { releaseSlotEnd } from '@symphony/protocol';
import type { Clock } from '../../ports/clock.ts';

/** Default release slot of the aggregation enclave. */
export const DEFAULT_RELEASE_SLOT_MS = 200;

const POLL_MS = 10;

const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Runs `work` and settles with its result (or its refusal) at the end of its slot. `sleep` waits
 * (a test with a manual clock passes one that moves the clock instead).
 */
export async function releaseAtSlot<T>(
  clock: Clock,
  slotMs: number,
  work: () => Promise<T>,
  sleep: (ms: number) => Promise<void> = pause,
): Promise<T> {
  const start = clock.now();
  const outcome = await work().then(
    (value) => ({ ok: true as const, value }),
    (error: unknown) => ({ ok: false as const, error }),
  );
  const end = releaseSlotEnd(start, clock.now(), slotMs);
  for (let now = clock.now(); now < end; now = clock.now()) await sleep(Math.min(POLL_MS, end - now));
  if (!outcome.ok) throw outcome.error;
  return outcome.value;
}
