/** The semantic compatibility policy: minor versions add, major versions may break. */

import { canonicalString } from '../encoding/canonical.ts';
import type { SemanticDomain } from '../objects/semantic-domain.ts';

/** Compares MAJOR.MINOR.PATCH numerically. */
export function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < 3; i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d < 0 ? -1 : 1;
  }
  return 0;
}

const major = (v: string) => v.split('.')[0];

/** Problems that make `next` an incompatible successor of the published `versions` of its domain. */
export function compatibilityProblems(versions: readonly SemanticDomain[], next: SemanticDomain): string[] {
  const names = next.attributes.map((a) => a.name);
  const problems: string[] = [];
  if (new Set(names).size !== names.length) problems.push('attribute names must be unique');
  const sameMajor = versions
    .filter((v) => major(v.semantic_version) === major(next.semantic_version))
    .sort((a, b) => compareVersions(a.semantic_version, b.semantic_version));
  const previous = sameMajor[sameMajor.length - 1];
  if (!previous) return problems;
  const byName = new Map(next.attributes.map((a) => [a.name, a]));
  for (const a of previous.attributes) {
    const b = byName.get(a.name);
    if (!b) problems.push(`${a.name} was removed without a major version`);
    else if (canonicalString(a) !== canonicalString(b)) problems.push(`${a.name} changed without a major version`);
  }
  return problems;
}

/**
 * Why `next` cannot follow the published `versions` of its domain in version order, if it cannot:
 * it must be newer than every published version of its major (a maintained 1.x line may continue
 * after 2.0.0), and a version opening a new major must be newer than every published version.
 */
export function versionOrderProblem(versions: readonly SemanticDomain[], next: SemanticDomain): string | undefined {
  const sameMajor = versions.filter((v) => major(v.semantic_version) === major(next.semantic_version));
  const rivals = sameMajor.length > 0 ? sameMajor : versions;
  const newest = rivals.find((v) => compareVersions(v.semantic_version, next.semantic_version) >= 0);
  return newest
    ? `${next.domain}@${next.semantic_version} is not newer than ${newest.semantic_version}${sameMajor.length > 0 ? ' of its major' : ''}`
    : undefined;
}
