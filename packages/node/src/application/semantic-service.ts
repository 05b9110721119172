/**
 * The semantic registry at the API edge: read published domains, declare a Vault's mapping and
 * propose candidates (both signed by the Vault's node), promote a closed epoch's candidates
 * (a governance action signed by this master's key), and serve a task's resolution artifact.
 */
import type {
  CandidateList,
  CandidateQuery,
  CandidateView,
  DeclareMappingRequest,
  PromoteCandidatesRequest,
  ProposeCandidateRequest,
  SemanticDomainList,
  TaskResolution,
} from '@symphony/api';
import {
  attestationHash,
  CANDIDATE_PROMOTION_MIN_VAULTS,
  candidateKey,
  compareVersions,
  digestBytes,
  type SemanticDomain,
  type SemanticPromotion,
  type VaultMapping,
} from '@symphony/protocol';
import type { LogWriter } from '../coordination/log-writer.ts';
import type { StateFollower } from '../coordination/state-follower.ts';
import { TaskRecords } from '../coordination/task-records.ts';
import type { Bus } from '../ports/bus.ts';
import { resolveTask } from '../semantic/resolve-task.ts';
import type { SemanticApi } from './admission-api.ts';
import { ApiFailure } from './master-api.ts';
import { vaultAttestation } from './vault-attestation.ts';

/** The key a governance action is signed with: this master's node key (see docs/protocol.md). */
export type GovernanceSigner = { node_id: string; sign(digest: Uint8Array): Promise<string> };

export type SemanticServiceOptions = {
  follower: StateFollower;
  writer: LogWriter;
  bus: Bus;
  timeoutMs: number;
  governance?: GovernanceSigner;
};

export class SemanticService implements SemanticApi {
  readonly #o: SemanticServiceOptions;
  readonly #tasks: TaskRecords;

  constructor(opts: SemanticServiceOptions) {
    this.#o = opts;
    this.#tasks = new TaskRecords(opts.follower);
  }

  get #state() {
    return this.#o.follower.state;
  }

  domains(): SemanticDomainList {
    const domains = Object.values(this.#state.semantic_domains).sort(
      (a, b) =>
        (a.domain < b.domain ? -1 : a.domain > b.domain ? 1 : 0) ||
        compareVersions(a.semantic_version, b.semantic_version),
    );
    return { domains };
  }

  domain(name: string, version: string): SemanticDomain | undefined {
    return this.#state.semantic_domains[`${name}@${version}`];
  }

  async declareMapping(vaultId: string, request: DeclareMappingRequest): Promise<VaultMapping> {
    if (!this.domain(request.domain, request.semantic_version))
      throw new ApiFailure(
        'unknown_semantic_version',
        `${request.domain}@${request.semantic_version} is not published`,
      );
    const mapping = await vaultAttestation(
      this.#state,
      this.#o.bus,
      'vault_mapping',
      vaultId,
      { schema_version: 1 as const, ...request },
      this.#o.timeoutMs,
    );
    await this.#append({ type: 'vault_mapping_declared', mapping: mapping as never });
    return mapping as unknown as VaultMapping;
  }

  async propose(request: ProposeCandidateRequest): Promise<CandidateView> {
    const candidate = await vaultAttestation(
      this.#state,
      this.#o.bus,
      'semantic_candidate',
      request.vault_id,
      { schema_version: 1 as const, domain: request.domain, attribute: request.attribute },
      this.#o.timeoutMs,
    );
    const epoch_id = this.#state.current_epoch;
    await this.#append({ type: 'semantic_candidate_proposed', candidate: candidate as never });
    const record = this.#state.semantic_candidates![candidateKey(epoch_id, request.domain, request.attribute)]!;
    return candidateView(record);
  }

  candidates(query: CandidateQuery): CandidateList {
    const candidates = Object.values(this.#state.semantic_candidates ?? {})
      .filter((c) => query.epoch_id === undefined || c.epoch_id === query.epoch_id)
      .map(candidateView)
      .sort(
        (a, b) =>
          a.epoch_id - b.epoch_id ||
          (a.domain < b.domain ? -1 : a.domain > b.domain ? 1 : 0) ||
          (a.attribute.name < b.attribute.name ? -1 : a.attribute.name > b.attribute.name ? 1 : 0),
      );
    return { candidates, min_vaults: CANDIDATE_PROMOTION_MIN_VAULTS };
  }

  async promote(request: PromoteCandidatesRequest): Promise<SemanticDomain> {
    const governance = this.#o.governance;
    if (!governance) throw new ApiFailure('unavailable', 'this master holds no governance key');
    const unsigned: Omit<SemanticPromotion, 'signature'> = {
      schema_version: 1,
      ...request,
      attributes: [...request.attributes].sort(),
      approver: governance.node_id,
    };
    const signature = await governance.sign(digestBytes(attestationHash('semantic_promotion', unsigned)));
    await this.#append({ type: 'semantic_candidates_promoted', promotion: { ...unsigned, signature } });
    return this.domain(request.domain, request.semantic_version)!;
  }

  async resolution(taskId: string): Promise<TaskResolution> {
    const task = this.#state.tasks[taskId];
    if (!task) throw new ApiFailure('not_found', `task ${taskId} does not exist`);
    const envelope = await this.#tasks.envelope(taskId);
    const resolved = envelope ? resolveTask(this.#state, envelope) : undefined;
    if (!resolved?.ok) throw new ApiFailure('not_found', `task ${taskId} has no resolution (${task.state})`);
    if (task.resolution_hash !== undefined && task.resolution_hash !== resolved.hash)
      throw new ApiFailure('internal', 'the recomputed resolution does not match the log');
    return { task_id: taskId, resolution_hash: resolved.hash, resolution: resolved.resolution };
  }

  async #append(event: Parameters<LogWriter['append']>[0]): Promise<void> {
    const result = await this.#o.writer.append(event);
    if (result.kind === 'refused')
      throw new ApiFailure('semantic_refused', `the protocol refused it: ${result.refusal.message}`, {
        reason: result.refusal.code,
      });
  }
}

function candidateView(c: NonNullable<StateFollower['state']['semantic_candidates']>[string]): CandidateView {
  return {
    epoch_id: c.epoch_id,
    domain: c.domain,
    attribute: c.attribute,
    vaults: c.vaults,
    ...(c.promoted_to ? { promoted_to: c.promoted_to } : {}),
  };
}
