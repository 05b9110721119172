/** Live data: fetches now and again every few seconds while the view is shown (no reload needed). */
import { useCallback, useEffect, useRef, useState } from 'react';

export type Polled<T> = { data: T | undefined; error: unknown; loading: boolean; refresh: () => void };

export const POLL_MS = 2000;

export function usePoll<T>(load: () => Promise<T>, deps: readonly unknown[], intervalMs = POLL_MS): Polled<T> {
  const [data, setData] = useState<T>();
  const [error, setError] = useState<unknown>();
  const [loading, setLoading] = useState(true);
  const loadRef = useRef(load);
  loadRef.current = load;
  const [tick, setTick] = useState(0);
  const refresh = useCallback(() => setTick((t) => t + 1), []);

  // biome-ignore lint/correctness/useExhaustiveDependencies: deps are the caller's
  useEffect(() => {
    let live = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const run = async () => {
      try {
        const value = await loadRef.current();
        if (!live) return;
        setData(value);
        setError(undefined);
      } catch (e) {
        if (live) setError(e);
      } finally {
        if (live) {
          setLoading(false);
          if (intervalMs > 0) timer = setTimeout(run, intervalMs);
        }
      }
    };
    setLoading(true);
    run();
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [...deps, tick, intervalMs]);

  return { data, error, loading, refresh };
}
