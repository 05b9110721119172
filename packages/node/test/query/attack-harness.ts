/**
 * The attack tests' harness: a population in two Vaults, and a submitter who runs query specs
 * through the same path a query takes on the network (plan, per-Vault partials over keyed
 * pseudonyms, the aggregator's release, the reducer's release decision) under a chosen policy.
 */
import { createHmac } from 'node:crypto';
import {
  combinePartials,
  decideRelease,
  emptyPrivacy,
  type PrivacyState,
  planQuery,
  type QueryPolicy,
  type QueryResult,
  releaseQuery,
  submitterGroupOf,
} from '@symphony/protocol';
import { computeVaultPartial } from '../../src/execution/query/vault-partial.ts';
import type { GeneratedQuery } from './random-queries.ts';

export type Person = { subject: string; fields: Record<string, string> };

/** 200 people: a city, an age, a unique quasi-identifying bucket, and a secret bit. */
export function population(n = 200, seed = 1): Person[] {
  let a = seed;
  const rand = () => {
    a = (a * 1103515245 + 12345) % 2147483648;
    return a / 2147483648;
  };
  return Array.from({ length: n }, (_, i) => ({
    subject: `act_person-${i}`,
    fields: {
      city: ['north', 'south', 'east', 'west'][i % 4]!,
      age: String(20 + (i % 50)),
      bucket: `b${String(i).padStart(3, '0')}`,
      secret: rand() < 0.5 ? '1' : '0',
    },
  }));
}

export type Answer = { refused: string } | { result: QueryResult };

/** A query session: one privacy state (the log's), many queries. */
export class Session {
  privacy: PrivacyState = emptyPrivacy();
  #n = 0;
  constructor(
    readonly people: readonly Person[],
    readonly policy: QueryPolicy,
    readonly epoch_id = 1,
  ) {}

  ask(submitter: string, spec: GeneratedQuery['spec']): Answer {
    const task_id = `tsk_attack-${this.#n++}`;
    const planned = planQuery(spec, this.policy);
    if (!planned.ok) return { refused: planned.refusal.code };
    const plan = planned.plan;
    const pseudonymOf = (s: string) => createHmac('sha256', 'enclave-key').update(s).digest('hex').slice(0, 32);
    const partials = [0, 1].map((v) =>
      computeVaultPartial(
        `vlt_v${v}`,
        this.people.filter((_, i) => i % 2 === v),
        spec.filter,
        plan,
        0,
        pseudonymOf,
      ),
    );
    const released = releaseQuery(plan, combinePartials(partials, plan.summed.length), `seed-${task_id}`);
    const decision = decideRelease(this.privacy, this.policy, {
      task_id,
      submitter_group: submitterGroupOf(this.policy.submitter_groups, submitter),
      scope: 'analytics',
      epoch_id: this.epoch_id,
      charged: released.decisions.charged,
      released_sets: released.decisions.released_sets,
    });
    if (decision.outcome === 'refused') return { refused: decision.code };
    this.privacy = decision.privacy;
    return { result: released.result };
  }
}

/** The released value of a single-group query's aggregate, or undefined (refused or suppressed). */
export function releasedValue(a: Answer, index = 0): number | undefined {
  if ('refused' in a) return undefined;
  const row = a.result.rows[0];
  if (!row) return undefined;
  return Number(row.values[index]!.value);
}

export const sumSecret = (filter: GeneratedQuery['spec']['filter']): GeneratedQuery['spec'] => ({
  kind: 'query',
  filter,
  group_by: [],
  aggregates: [{ fn: 'sum', attribute: 'secret', clamp: { lower: '0', upper: '1' } }],
});

/** Least squares (ridge, tiny λ) by normal equations and Gaussian elimination. */
export function leastSquares(rows: number[][], b: number[], n: number): number[] {
  const m = Array.from({ length: n }, () => new Array<number>(n + 1).fill(0));
  for (const [k, r] of rows.entries()) {
    for (let i = 0; i < n; i++) {
      if (!r[i]) continue;
      for (let j = 0; j < n; j++) if (r[j]) m[i]![j]! += r[i]! * r[j]!;
      m[i]![n]! += r[i]! * b[k]!;
    }
  }
  for (let i = 0; i < n; i++) m[i]![i]! += 1e-6;
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(m[r]![c]!) > Math.abs(m[p]![c]!)) p = r;
    [m[c], m[p]] = [m[p]!, m[c]!];
    const pivot = m[c]![c]!;
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const f = m[r]![c]! / pivot;
      if (f === 0) continue;
      for (let j = c; j <= n; j++) m[r]![j]! -= f * m[c]![j]!;
    }
  }
  return m.map((row, i) => row[n]! / row[i]!);
}
