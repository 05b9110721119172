/** Rules a parameter set must satisfy beyond its schema. */
import type { ParameterSet } from '../objects/parameter-set.ts';

/** Problems with a parameter set; empty when it is usable. */
export function parameterSetProblems(p: ParameterSet, masterCount: number): string[] {
  const problems: string[] = [];
  const b = p.reward_split_bps;
  const sum = b.data_producer + b.vault_operator + b.executor + b.verifier + b.treasury;
  if (sum !== 10_000) problems.push(`reward_split_bps must sum to 10000, not ${sum}`);
  if (p.settlement_quorum > masterCount) {
    problems.push(`settlement_quorum ${p.settlement_quorum} exceeds the ${masterCount} masters`);
  }
  if (p.settlement_quorum * 2 <= masterCount) {
    problems.push(`settlement_quorum ${p.settlement_quorum} is not a majority of ${masterCount} masters`);
  }
  const q = p.query;
  if (q?.epsilon_micro !== undefined && q.budget_micro !== undefined && q.epsilon_micro > q.budget_micro)
    problems.push(`query.epsilon_micro ${q.epsilon_micro} exceeds query.budget_micro ${q.budget_micro}`);
  return problems;
}
