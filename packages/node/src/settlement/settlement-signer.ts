/**
 * Each master signs the settlement statement its own fold built, once the candidate's challenge
 * window has passed. Two matching signatures of three finalize the epoch; a master never signs
 * twice for one epoch and attempt.
 */
import { digestBytes, policyInForce, statementHash } from '@symphony/protocol';
import type { LogWriter } from '../coordination/log-writer.ts';
import type { StateFollower } from '../coordination/state-follower.ts';
import { KeyedRunner } from '../coordination/task-queue.ts';
import type { Clock } from '../ports/clock.ts';
import type { Keyring } from '../ports/keyring.ts';

export type SignerOptions = {
  nodeId: string;
  keyName: string;
  keyring: Keyring;
  follower: StateFollower;
  writer: LogWriter;
  clock: Clock;
  onError?: (what: string, error: unknown) => void;
};

export class SettlementSigner {
  readonly #o: SignerOptions;
  readonly #runner: KeyedRunner;
  readonly #timers = new Set<NodeJS.Timeout>();
  #unsubscribe: (() => void) | undefined;
  signed = 0;

  constructor(opts: SignerOptions) {
    this.#o = opts;
    this.#runner = new KeyedRunner(
      (epoch) => this.#sign(Number(epoch)),
      (epoch, error) => opts.onError?.(`sign epoch ${epoch}`, error),
    );
  }

  start(): void {
    this.#scan();
    this.#unsubscribe = this.#o.follower.onApplied((_entry, outcome) => {
      if (outcome.kind === 'applied') this.#scan();
    });
  }

  #scan(): void {
    for (const s of Object.values(this.#o.follower.state.settlements)) {
      if (
        (s.state === 'candidate_ready' || s.state === 'finalizing') &&
        !s.signatures.some((g) => g.master_id === this.#o.nodeId)
      ) {
        this.#runner.schedule(String(s.epoch_id));
      }
    }
  }

  async #sign(epoch_id: number): Promise<void> {
    const state = this.#o.follower.state;
    const s = state.settlements[epoch_id];
    if (!s?.candidate || (s.state !== 'candidate_ready' && s.state !== 'finalizing')) return;
    if (s.signatures.some((g) => g.master_id === this.#o.nodeId)) return;
    const window = policyInForce(state, epoch_id)?.challenge_window_ms ?? 0;
    const wait = (s.candidate_ready_at_ms ?? 0) + window - this.#o.clock.now();
    if (wait > 0) {
      const timer = setTimeout(() => {
        this.#timers.delete(timer);
        this.#runner.schedule(String(epoch_id));
      }, wait);
      timer.unref();
      this.#timers.add(timer);
      return;
    }
    const statement = s.candidate.statement;
    const signature = await this.#o.keyring.sign(this.#o.keyName, digestBytes(statementHash(statement)));
    const result = await this.#o.writer.append({
      type: 'settlement_signed',
      master_id: this.#o.nodeId,
      statement,
      signature,
    });
    if (result.kind === 'applied') this.signed++;
  }

  async stop(): Promise<void> {
    this.#unsubscribe?.();
    for (const t of this.#timers) clearTimeout(t);
    await this.#runner.stop();
  }
}
