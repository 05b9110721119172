import { attestationHash } from '../../crypto/attestation-digests.ts';
import { verifyEd25519 } from '../../crypto/ed25519.ts';
import { digestBytes } from '../../crypto/signing-digests.ts';
import type { SemanticDomain } from '../../objects/semantic-domain.ts';
import type { SemanticPromotion } from '../../objects/semantic-governance.ts';
import { compatibilityProblems, versionOrderProblem } from '../../params/semantic-compatibility.ts';
import { type Refusal, refuse } from '../refusal.ts';
import type { ProtocolState } from '../state.ts';
import type { Step } from '../step.ts';

/** Distinct Vaults that must propose the same candidate in one epoch window before it can be promoted. */
export const CANDIDATE_PROMOTION_MIN_VAULTS = 3;

/** The domain a promotion publishes, or why it cannot. */
export function promotedDomain(
  state: ProtocolState,
  p: Omit<SemanticPromotion, 'signature' | 'approver'>,
): { ok: true; domain: SemanticDomain; keys: string[] } | { ok: false; refusal: Refusal } {
  const base = state.semantic_domains[`${p.domain}@${p.from_version}`];
  if (!base) return { ok: false, refusal: refuse('unknown_semantic_version', `${p.domain}@${p.from_version}`) };
  if (p.epoch_id >= state.current_epoch)
    return { ok: false, refusal: refuse('window_open', `epoch ${p.epoch_id} is not closed yet`) };
  const keys: string[] = [];
  const added = [];
  for (const name of p.attributes) {
    const eligible = Object.entries(state.semantic_candidates ?? {}).filter(
      ([, c]) =>
        c.epoch_id === p.epoch_id &&
        c.domain === p.domain &&
        c.attribute.name === name &&
        c.promoted_to === undefined &&
        c.vaults.length >= CANDIDATE_PROMOTION_MIN_VAULTS,
    );
    if (eligible.length !== 1) {
      const why = eligible.length === 0 ? 'not proposed by enough Vaults' : 'proposed with conflicting definitions';
      return { ok: false, refusal: refuse('candidate_not_eligible', `${name}: ${why} in epoch ${p.epoch_id}`) };
    }
    if (base.attributes.some((a) => a.name === name))
      return { ok: false, refusal: refuse('attribute_exists', `${name} is already in ${p.domain}@${p.from_version}`) };
    keys.push(eligible[0]![0]);
    added.push(eligible[0]![1].attribute);
  }
  const domain: SemanticDomain = {
    ...base,
    semantic_version: p.semantic_version,
    attributes: [...base.attributes, ...added],
  };
  const versions = Object.values(state.semantic_domains).filter((d) => d.domain === p.domain);
  const order = versionOrderProblem(versions, domain);
  if (order) return { ok: false, refusal: refuse('semantic_version_not_newer', order) };
  const problems = compatibilityProblems(versions, domain);
  if (problems.length > 0) return { ok: false, refusal: refuse('incompatible_semantic_version', problems.join('; ')) };
  return { ok: true, domain, keys };
}

/**
 * Governance (a master's key from genesis) promotes candidates of a closed epoch window, each
 * proposed by at least `CANDIDATE_PROMOTION_MIN_VAULTS` Vaults, into a new version of the domain.
 */
export const promoteSemanticCandidates: Step<'semantic_candidates_promoted'> = {
  check(state, e) {
    const p = e.promotion;
    const key = state.masters[p.approver]?.public_key;
    if (!key) return refuse('unknown_approver', `${p.approver} is not a master`);
    if (!verifyEd25519(key, digestBytes(attestationHash('semantic_promotion', p)), p.signature))
      return refuse('bad_signature', `the signature does not verify under ${p.approver}'s key`);
    const result = promotedDomain(state, p);
    return result.ok ? undefined : result.refusal;
  },
  run(state, e) {
    const result = promotedDomain(state, e.promotion);
    if (!result.ok) return;
    state.semantic_domains[`${result.domain.domain}@${result.domain.semantic_version}`] = result.domain;
    for (const k of result.keys) state.semantic_candidates![k]!.promoted_to = result.domain.semantic_version;
  },
};
