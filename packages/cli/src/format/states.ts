/** Colors for lifecycle states: green when done well, red when failed, yellow when disputed. */
import type { Colors } from './colors.ts';

const GOOD = new Set(['completed', 'awaiting_settlement', 'finalized', 'ok']);
const BAD = new Set(['rejected', 'timed_out', 'failed', 'blocked', 'failing']);
const DISPUTED = new Set(['challenged', 'finalizing', 'adjusted', 'degraded']);

/** The state name, colored by what it means. */
export function paintState(state: string, colors: Colors): string {
  if (GOOD.has(state)) return colors.green(state);
  if (BAD.has(state)) return colors.red(state);
  if (DISPUTED.has(state)) return colors.yellow(state);
  return state;
}
