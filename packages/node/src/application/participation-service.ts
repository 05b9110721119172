/**
 * Participant queries at the API edge: a subject accepts a query through its Vault; the Vault's
 * node signs the acceptance and the master appends `query_participation_accepted`.
 */
import type { AcceptParticipationRequest, ParticipationView } from '@symphony/api';
import type { LogWriter } from '../coordination/log-writer.ts';
import type { StateFollower } from '../coordination/state-follower.ts';
import type { ParticipationSignReply } from '../execution/query/participation-signer.ts';
import type { Bus } from '../ports/bus.ts';
import { hasErrorCode } from '../ports/errors.ts';
import { enterpriseSubjects } from '../wire/enterprise-rpc.ts';
import { ApiFailure } from './master-api.ts';

export class ParticipationService {
  readonly #o: { follower: StateFollower; writer: LogWriter; bus: Bus; timeoutMs: number };

  constructor(opts: { follower: StateFollower; writer: LogWriter; bus: Bus; timeoutMs: number }) {
    this.#o = opts;
  }

  async accept(task_id: string, req: AcceptParticipationRequest): Promise<ParticipationView> {
    const state = this.#o.follower.state;
    if (!state.tasks[task_id]) throw new ApiFailure('not_found', `no task ${task_id}`, { field: 'task_id' });
    const vault = state.vaults[req.vault_id];
    if (!vault) throw new ApiFailure('unknown_vault', `vault ${req.vault_id} is not registered`, { field: 'vault_id' });
    let signed: ParticipationSignReply;
    try {
      signed = (await this.#o.bus.request(
        enterpriseSubjects(vault.node_id).queryParticipation,
        { task_id, ...req },
        { timeoutMs: this.#o.timeoutMs },
      )) as ParticipationSignReply;
    } catch (error) {
      if (hasErrorCode(error) && error.code === 'unknown_vault') throw new ApiFailure('unknown_vault', error.message);
      throw new ApiFailure('unavailable', `the enterprise node ${vault.node_id} did not answer`);
    }
    const result = await this.#o.writer.append({ type: 'query_participation_accepted', ...signed } as never);
    if (result.kind === 'refused')
      throw new ApiFailure('participation_refused', result.refusal.message, { reason: result.refusal.code });
    return {
      task_id,
      vault_id: req.vault_id,
      subject: req.subject,
      accepted: this.#o.follower.state.participation?.[task_id]?.length ?? 0,
    };
  }
}
