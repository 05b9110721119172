/** Times for humans: absolute UTC timestamps and relative times ("3s ago"). */

/** `2026-11-28 08:15:39Z` from milliseconds since the epoch. */
export function formatTimestamp(ms: number): string {
  return new Date(ms)
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d{3}Z$/, 'Z');
}

/** `08:15:39.123` (UTC) from milliseconds since the epoch: for lines printed as things happen. */
export function formatClock(ms: number): string {
  return new Date(ms).toISOString().slice(11, 23);
}

/** A relative time: "just now", "12s ago", "5m ago", "3h ago", "2d ago", or "in 40s" for the future. */
export function formatRelativeTime(ms: number, nowMs: number): string {
  const delta = nowMs - ms;
  const abs = Math.abs(delta);
  if (abs < 1000) return 'just now';
  const units: readonly [number, string][] = [
    [86_400_000, 'd'],
    [3_600_000, 'h'],
    [60_000, 'm'],
    [1000, 's'],
  ];
  const [size, unit] = units.find(([size]) => abs >= size) ?? [1000, 's'];
  const amount = `${Math.floor(abs / size)}${unit}`;
  return delta >= 0 ? `${amount} ago` : `in ${amount}`;
}

/** A duration such as "850ms", "4.2s" or "1m 05s". */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  const seconds = Math.round(ms / 1000);
  return `${Math.floor(seconds / 60)}m ${String(seconds % 60).padStart(2, '0')}s`;
}
