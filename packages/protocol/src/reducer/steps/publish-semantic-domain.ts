import { compatibilityProblems, versionOrderProblem } from '../../params/semantic-compatibility.ts';
import { refuse } from '../refusal.ts';
import type { Step } from '../step.ts';

/**
 * Governance publishes a domain under a new semantic_version. Versions only grow within a major (a
 * new major must be newer than all, a 1.x line may continue after 2.0.0); a minor or patch version
 * must keep every attribute of the previous version of its major unchanged (it may add).
 */
export const publishSemanticDomain: Step<'semantic_domain_published'> = {
  check(state, e) {
    const d = e.domain;
    const versions = Object.values(state.semantic_domains).filter((x) => x.domain === d.domain);
    const order = versionOrderProblem(versions, d);
    if (order) return refuse('semantic_version_not_newer', order);
    const problems = compatibilityProblems(versions, d);
    return problems.length > 0 ? refuse('incompatible_semantic_version', problems.join('; ')) : undefined;
  },
  run(state, e) {
    state.semantic_domains[`${e.domain.domain}@${e.domain.semantic_version}`] = e.domain;
  },
};
