/**
 * The admission rules every master applies to a task before it enters the log, and re-applies when
 * folding it: the submitter is a registered task submitter (or an agent holding a live delegation),
 * every target Vault is covered by a live grant of the paying actor for the task's class, domain and
 * every attribute the spec reads, the payer's free balance covers the maximum fee (which stays
 * escrowed while the task is open), and every executor the task would reach is staked.
 */
import { parseAmount } from '../encoding/amount.ts';
import type { TaskEnvelope } from '../objects/task-envelope.ts';
import type { TaskSpec } from '../objects/task-spec.ts';
import { policyInForce } from '../params/resolve-parameters.ts';
import { type Refusal, refuse } from '../reducer/refusal.ts';
import type { ProtocolState, TaskRecord } from '../reducer/state.ts';
import { checkDelegation, delegationHash } from './delegation.ts';

const TERMINAL = new Set(['completed', 'rejected', 'timed_out']);

/** Every canonical attribute a spec reads: filters, groupings, aggregates, program and model inputs. */
export function specAttributes(spec: TaskSpec): string[] {
  const out = new Set<string>();
  const filter = 'filter' in spec ? spec.filter : [];
  for (const c of filter) out.add(c.attribute);
  if (spec.kind === 'query') {
    for (const g of spec.group_by) out.add(g);
    for (const a of spec.aggregates) if (a.attribute) out.add(a.attribute);
  } else if (spec.kind === 'compute') {
    if (spec.program.type === 'builtin' && spec.program.attribute) out.add(spec.program.attribute);
    // Writing a derived feature touches that attribute of the Vault: it must be declared and granted.
    if (spec.program.type === 'sandbox') for (const a of spec.program.derives ?? []) out.add(a);
  } else if (spec.kind === 'train') {
    for (const f of spec.features) out.add(f);
    out.add(spec.label);
  }
  return [...out].sort();
}

/** The Vaults a spec names itself (a parse task's source record). */
export function specVaults(spec: TaskSpec): string[] {
  return spec.kind === 'parse' ? [spec.source.vault_id] : [];
}

/** Who pays for a task: the delegating user, or the submitter itself. */
export const payerOf = (t: Pick<TaskEnvelope, 'submitter' | 'delegation'>): string =>
  t.delegation?.principal ?? t.submitter;

const taskPayer = (t: TaskRecord): string => t.delegation?.principal ?? t.submitter;

/** Sum of the maximum fees of an actor's open tasks: what admission holds in escrow. */
export function escrowedBy(state: ProtocolState, actor: string): bigint {
  let total = 0n;
  for (const t of Object.values(state.tasks)) {
    if (!TERMINAL.has(t.state) && taskPayer(t) === actor) total += parseAmount(t.max_fee);
  }
  return total;
}

/** Balance minus escrow: what a new task's maximum fee may use. */
export function availableBalance(state: ProtocolState, actor: string): bigint {
  const account = state.accounts[actor];
  return (account ? parseAmount(account.balance) : 0n) - escrowedBy(state, actor);
}

/** Whether an actor's bonded stake reaches its role's minimum under a policy version. */
export function stakeCompliant(
  state: ProtocolState,
  actor: string,
  role: 'executor' | 'verifier',
  policyVersion: number,
): boolean {
  const policy =
    state.parameter_history.find((p) => p.policy_version === policyVersion) ??
    policyInForce(state, state.current_epoch);
  if (!policy) return false;
  const stake = parseAmount(state.accounts[actor]?.stake ?? '0');
  return stake >= parseAmount(policy.min_stake[role]);
}

/** Whether the log registers actors at all: from then on every task must pass {@link authorizeTask}. */
export const identityEnforced = (state: ProtocolState): boolean => Object.keys(state.actors).length > 0;

/** Ids of the live grants of `grantee` that authorize `env` on `vault_id`, sorted. */
export function grantsFor(
  state: ProtocolState,
  grantee: string,
  env: Pick<TaskEnvelope, 'class' | 'semantic' | 'spec' | 'admitted_at_ms'>,
  vault_id: string,
): string[] {
  const needed = new Set([...env.semantic.attributes, ...specAttributes(env.spec)]);
  return Object.entries(state.grants)
    .filter(
      ([, g]) =>
        g.vault_id === vault_id &&
        g.grantee === grantee &&
        g.revoked_seq === undefined &&
        (g.expires_at_ms === undefined || g.expires_at_ms > env.admitted_at_ms) &&
        g.task_classes.includes(env.class) &&
        g.domain === env.semantic.domain &&
        [...needed].every((a) => g.attributes.includes(a)),
    )
    .map(([id]) => id)
    .sort();
}

/**
 * Refuses a task that its submitter may not run; `undefined` when it may. Pure: reads the state only.
 * Codes: `unknown_actor`, `wrong_role`, `delegation_revoked`, `attribute_not_declared`,
 * `vault_not_targeted`, `unknown_grant`, `vault_not_granted`, `insufficient_budget`, `executor_understaked`.
 */
export function authorizeTask(state: ProtocolState, env: TaskEnvelope): Refusal | undefined {
  const submitter = state.actors[env.submitter];
  if (!submitter) return refuse('unknown_actor', `${env.submitter} is not a registered actor`);
  if (!submitter.roles.includes('task_submitter'))
    return refuse('wrong_role', `${env.submitter} does not hold the task_submitter role`);
  if (env.delegation) {
    const principal = state.actors[env.delegation.principal];
    if (!principal?.roles.includes('task_submitter'))
      return refuse('wrong_role', `principal ${env.delegation.principal} is not a registered task submitter`);
    if (state.revoked_delegations[env.delegation.credential_hash] !== undefined)
      return refuse('delegation_revoked', 'the delegation credential was revoked');
    // The credential travels in the envelope, so its cap is enforced here, across every task
    // admitted under it (settled fees plus open maximum fees), not on one master's word.
    const signed = env.delegation.signed;
    if (!signed) return refuse('delegation_missing', 'a delegated task must carry its signed credential');
    if (delegationHash(signed.credential) !== env.delegation.credential_hash)
      return refuse('bad_delegation_signature', 'the credential does not hash to credential_hash');
    if (signed.credential.principal !== env.delegation.principal)
      return refuse('bad_delegation_signature', 'the credential names another principal');
    const refusal = checkDelegation(state, signed, {
      agent: env.submitter,
      class: env.class,
      vault_ids: env.targets.vault_ids,
      consent_scope: env.consent_scope,
      max_fee: env.budget.max_fee,
      now_ms: env.admitted_at_ms,
    });
    if (refusal) return refusal;
  }
  const declared = new Set(env.semantic.attributes);
  const undeclared = specAttributes(env.spec).filter((a) => !declared.has(a));
  if (undeclared.length > 0)
    return refuse('attribute_not_declared', `the spec reads undeclared attributes: ${undeclared.join(', ')}`);
  const targets = new Set(env.targets.vault_ids);
  const untargeted = specVaults(env.spec).filter((v) => !targets.has(v));
  if (untargeted.length > 0) return refuse('vault_not_targeted', `the spec names ${untargeted.join(', ')}`);

  const payer = payerOf(env);
  for (const id of env.authorization.grant_ids) {
    const g = state.grants[id];
    if (!g || g.grantee !== payer || g.revoked_seq !== undefined)
      return refuse('unknown_grant', `${id} is not a live grant of ${payer}`);
  }
  const listed = env.authorization.grant_ids;
  for (const vault_id of env.targets.vault_ids) {
    const covering = grantsFor(state, payer, env, vault_id).filter((id) => listed.includes(id));
    if (covering.length === 0)
      return refuse(
        'vault_not_granted',
        `no grant of ${payer} covers ${env.class} on ${vault_id} for these attributes`,
      );
  }
  if (availableBalance(state, payer) < parseAmount(env.budget.max_fee))
    return refuse('insufficient_budget', `the free balance of ${payer} does not cover max_fee ${env.budget.max_fee}`);
  for (const vault_id of env.targets.vault_ids) {
    const node = state.enterprise_nodes[state.vaults[vault_id]?.node_id ?? ''];
    if (!node || !stakeCompliant(state, node.operator, 'executor', env.policy_version))
      return refuse('executor_understaked', `the executor hosting ${vault_id} is below the minimum stake`);
  }
  return undefined;
}
