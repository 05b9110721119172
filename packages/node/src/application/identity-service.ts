/**
 * Identity administration at the API edge: actors register (by governance, or themselves for the
 * self-service roles), Vault operators issue and revoke grants on their Vaults, principals revoke
 * their delegation credentials. Each is one log event; who may append it is checked here against
 * the authenticated caller, and the reducer re-checks what it can (operator of the Vault, issuer
 * of the grant, principal of the credential).
 */
import { randomBytes } from 'node:crypto';
import {
  type ActorView,
  type DelegationRevocationView,
  type GrantList,
  type GrantQuery,
  type GrantView,
  type IssueGrantRequest,
  type RegisterActorRequest,
  type RevokeDelegationRequest,
  SELF_SERVICE_ROLES,
} from '@symphony/api';
import { delegationHash, type GrantRecord, type ProtocolEvent, type ProtocolState } from '@symphony/protocol';
import type { LogWriter } from '../coordination/log-writer.ts';
import type { StateFollower } from '../coordination/state-follower.ts';
import type { IdentityApi } from './admission-api.ts';
import type { Caller } from './caller.ts';
import { ApiFailure } from './master-api.ts';

/** How a grant stands at the head of the log. */
export function grantView(state: ProtocolState, g: GrantRecord): GrantView {
  const status =
    g.revoked_seq !== undefined
      ? 'revoked'
      : g.expires_at_ms !== undefined && g.expires_at_ms <= state.last_time_ms
        ? 'expired'
        : 'live';
  return {
    grant_id: g.grant_id,
    vault_id: g.vault_id,
    issuer: g.issuer,
    grantee: g.grantee,
    task_classes: [...g.task_classes],
    domain: g.domain,
    attributes: [...g.attributes],
    ...(g.expires_at_ms !== undefined ? { expires_at_ms: g.expires_at_ms } : {}),
    status,
    issued_seq: g.issued_seq,
    ...(g.revoked_seq !== undefined ? { revoked_seq: g.revoked_seq } : {}),
  };
}

const sorted = <T extends string>(xs: readonly T[]) => [...xs].sort();

export class IdentityService implements IdentityApi {
  readonly #o: { follower: StateFollower; writer: LogWriter };

  constructor(opts: { follower: StateFollower; writer: LogWriter }) {
    this.#o = opts;
  }

  get #state(): ProtocolState {
    return this.#o.follower.state;
  }

  async registerActor(r: RegisterActorRequest, caller: Caller): Promise<ActorView> {
    const registered = this.#state.actors[caller.actor_id] !== undefined;
    if (!registered) {
      // Self-registration: the request was signed by the key it registers (checked at the edge).
      if (caller.actor_id !== r.actor_id)
        throw new ApiFailure('forbidden', `a new key may register only itself (${caller.actor_id})`, {
          reason: 'not_self',
        });
      const privileged = r.roles.filter((role) => !(SELF_SERVICE_ROLES as readonly string[]).includes(role));
      if (privileged.length > 0)
        throw new ApiFailure('forbidden', `roles ${privileged.join(', ')} are given by governance only`, {
          reason: 'wrong_role',
          required_roles: ['governance'],
          field: 'roles',
        });
    } else if (!caller.roles.includes('governance')) {
      throw new ApiFailure('forbidden', `${caller.actor_id} may not register other actors`, {
        reason: 'wrong_role',
        required_roles: ['governance'],
      });
    }
    await this.#append({
      type: 'actor_registered',
      actor_id: r.actor_id,
      roles: sorted(r.roles),
      public_key: r.public_key,
    });
    const a = this.#state.actors[r.actor_id]!;
    return {
      actor_id: r.actor_id,
      roles: [...a.roles] as never,
      public_key: a.public_key,
      registered_seq: a.registered_seq,
    };
  }

  async issueGrant(vaultId: string, r: IssueGrantRequest, caller: Caller): Promise<GrantView> {
    this.#mustOperate(vaultId, caller);
    if (!this.#state.actors[r.grantee])
      throw new ApiFailure('invalid_request', `grantee ${r.grantee} is not a registered actor`, {
        field: 'grantee',
        reason: 'unknown_actor',
      });
    const grant_id = r.grant_id ?? `grt_${randomBytes(12).toString('hex')}`;
    await this.#append({
      type: 'vault_grant_issued',
      grant: {
        schema_version: 1,
        grant_id,
        vault_id: vaultId,
        issuer: caller.actor_id,
        grantee: r.grantee,
        task_classes: sorted(r.task_classes),
        domain: r.domain,
        attributes: sorted(r.attributes),
        ...(r.expires_at_ms !== undefined ? { expires_at_ms: r.expires_at_ms } : {}),
      },
    });
    return grantView(this.#state, this.#state.grants[grant_id]!);
  }

  async revokeGrant(vaultId: string, grantId: string, caller: Caller): Promise<GrantView> {
    this.#mustOperate(vaultId, caller);
    const g = this.#state.grants[grantId];
    if (!g || g.vault_id !== vaultId) throw new ApiFailure('not_found', `no grant ${grantId} on ${vaultId}`);
    await this.#append({ type: 'vault_grant_revoked', grant_id: grantId, revoked_by: caller.actor_id });
    return grantView(this.#state, this.#state.grants[grantId]!);
  }

  listGrants(vaultId: string, q: GrantQuery): GrantList {
    if (!this.#state.vaults[vaultId])
      throw new ApiFailure('unknown_vault', `vault ${vaultId} is not registered on this network`, {
        vault_id: vaultId,
      });
    const grants = Object.values(this.#state.grants)
      .filter((g) => g.vault_id === vaultId && (q.grantee === undefined || g.grantee === q.grantee))
      .map((g) => grantView(this.#state, g))
      .filter((g) => q.status === undefined || g.status === q.status)
      .sort((a, b) => a.issued_seq - b.issued_seq);
    return { grants };
  }

  async revokeDelegation(r: RevokeDelegationRequest, caller: Caller): Promise<DelegationRevocationView> {
    if (r.credential.principal !== caller.actor_id)
      throw new ApiFailure('forbidden', `only ${r.credential.principal} may revoke this credential`, {
        reason: 'not_principal',
        field: 'credential.principal',
      });
    const credential_hash = delegationHash(r.credential);
    await this.#append({ type: 'delegation_revoked', principal: caller.actor_id, credential_hash });
    return {
      principal: caller.actor_id,
      credential_hash,
      revoked_seq: this.#state.revoked_delegations[credential_hash]!,
    };
  }

  #mustOperate(vaultId: string, caller: Caller): void {
    const vault = this.#state.vaults[vaultId];
    if (!vault)
      throw new ApiFailure('unknown_vault', `vault ${vaultId} is not registered on this network`, {
        vault_id: vaultId,
      });
    if (vault.operator !== caller.actor_id)
      throw new ApiFailure('forbidden', `${caller.actor_id} does not operate ${vaultId}`, {
        reason: 'not_vault_operator',
      });
  }

  async #append(event: ProtocolEvent): Promise<void> {
    const result = await this.#o.writer.append(event);
    if (result.kind === 'refused')
      throw new ApiFailure('identity_refused', `the protocol refused ${event.type}: ${result.refusal.message}`, {
        reason: result.refusal.code,
      });
  }
}
