/** One line of a Train task's round progress, for `task watch` and `task show`. */
import type { TaskView } from '@symphony/api';

/** "round 3 completed (3 done; 3 Vaults, 0 dropped)  model 1a2b3c4d…  held-out accuracy 0.8912 over 45 subjects" */
export function formatTrainProgress(train: NonNullable<TaskView['train']>): string {
  const r = train.last_round;
  const parts = [
    `round ${r.round} ${r.state}${r.reason_code ? ` (${r.reason_code})` : ''}`,
    `${train.rounds_completed} done, ${r.participants} Vaults, ${r.dropped} dropped`,
  ];
  if (r.model_hash) parts.push(`model ${r.model_hash.slice(0, 12)}…`);
  if (r.evaluation?.value !== undefined)
    parts.push(`held-out accuracy ${r.evaluation.value} over ${r.evaluation.subjects ?? 0} subjects`);
  else if (r.evaluation?.suppressed) parts.push('held-out accuracy suppressed (too few subjects)');
  return parts.join('  ');
}
