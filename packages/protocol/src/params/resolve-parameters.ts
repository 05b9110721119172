/**
 * Parameter resolution: a pure function of (`epoch_id`, `semantic_version`, `policy_version`)
 * over the governance history recorded in state.
 */
import type { ParameterSet } from '../objects/parameter-set.ts';
import type { SemanticDomain } from '../objects/semantic-domain.ts';

/** The part of protocol state that parameter resolution reads. */
export type GovernanceHistory = {
  readonly parameter_history: readonly ParameterSet[];
  readonly semantic_domains: Readonly<Record<string, SemanticDomain>>;
};

export type ResolvedParameters = {
  epoch_id: number;
  policy: ParameterSet;
  semantic_version: string;
  /** Every domain defined at exactly this semantic_version, sorted by name. */
  domains: SemanticDomain[];
};

export type ResolutionOutcome =
  | { ok: true; value: ResolvedParameters }
  | {
      ok: false;
      code: 'unknown_policy_version' | 'policy_not_yet_effective' | 'unknown_semantic_version';
      message: string;
    };

/** Resolves the parameter set and semantic registry a task or settlement runs under. Never throws. */
export function resolveParameters(
  history: GovernanceHistory,
  epoch_id: number,
  semantic_version: string,
  policy_version: number,
): ResolutionOutcome {
  const policy = history.parameter_history.find((p) => p.policy_version === policy_version);
  if (!policy) {
    return {
      ok: false,
      code: 'unknown_policy_version',
      message: `policy_version ${policy_version} was never published`,
    };
  }
  if (epoch_id < policy.effective_from_epoch) {
    return {
      ok: false,
      code: 'policy_not_yet_effective',
      message: `policy_version ${policy_version} takes effect at epoch ${policy.effective_from_epoch}, not ${epoch_id}`,
    };
  }
  const domains = Object.values(history.semantic_domains)
    .filter((d) => d.semantic_version === semantic_version)
    .sort((a, b) => (a.domain < b.domain ? -1 : a.domain > b.domain ? 1 : 0));
  if (domains.length === 0) {
    return {
      ok: false,
      code: 'unknown_semantic_version',
      message: `semantic_version ${semantic_version} is not in the registry`,
    };
  }
  return { ok: true, value: { epoch_id, policy, semantic_version, domains } };
}

/** The parameter set in force at an epoch: the highest policy_version whose effective epoch has come. */
export function policyInForce(
  history: Pick<GovernanceHistory, 'parameter_history'>,
  epoch_id: number,
): ParameterSet | undefined {
  let best: ParameterSet | undefined;
  for (const p of history.parameter_history) {
    if (p.effective_from_epoch <= epoch_id && (!best || p.policy_version > best.policy_version)) best = p;
  }
  return best;
}
