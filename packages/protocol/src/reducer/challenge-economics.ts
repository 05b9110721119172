/**
 * The money side of verification and challenges, on the existing `stake` and `balance` fields:
 * a challenger's bond is held from its balance at opening; a penalty slashes the accused operator's
 * stake by the policy's `slash_bps`, credits `challenger_reward_bps` of it to the challenger (or to
 * the verifier that caught the fault) and the rest to the treasury, and returns the bond; a close
 * without penalty forfeits `bond_forfeit_bps` of the bond to the treasury and returns the rest.
 * Every movement is appended to `state.stake_ledger`. Deposits, unbonding and emission live in the
 * economics layer, not here.
 */
import { identityEnforced } from '../admission/authorize-task.ts';
import { parseAmount, toAmount, toSignedAmount } from '../encoding/amount.ts';
import type { Challenge } from '../objects/challenge.ts';
import type { ParameterSet } from '../objects/parameter-set.ts';
import { AGGREGATION_REJECTIONS } from '../verification/query-aggregation.ts';
import { type Refusal, refuse } from './refusal.ts';
import type { AccountRecord, ChallengeRecord, ProtocolState, StakeMovement } from './state.ts';
import type { LogPosition } from './step.ts';

/** Default challenger share of a slash when the policy says nothing. */
export const DEFAULT_CHALLENGER_REWARD_BPS = 5000;
/** Default forfeited share of a bond when the policy says nothing. */
export const DEFAULT_BOND_FORFEIT_BPS = 10_000;

const AGGREGATION_FAULTS: ReadonlySet<string> = new Set(AGGREGATION_REJECTIONS);

/**
 * Verification rejection reasons that prove an executor fault (slashable): a re-execution that
 * differs, an attestation that fails, an aggregation transcript that fails its checks. Others
 * (e.g. a resolution mismatch) are not.
 */
export function isFaultReason(reason: string | undefined): boolean {
  return (
    reason === 'output_mismatch' ||
    reason === 'transcript_mismatch' ||
    (reason ?? '').startsWith('attestation_') ||
    AGGREGATION_FAULTS.has(reason ?? '')
  );
}

const account = (state: ProtocolState, id: string): AccountRecord => {
  state.accounts[id] ??= { balance: '0', stake: '0' };
  return state.accounts[id]!;
};

function move(
  state: ProtocolState,
  at: LogPosition,
  ref: string,
  id: string,
  kind: StakeMovement['kind'],
  field: StakeMovement['field'],
  delta: bigint,
): void {
  if (delta === 0n) return;
  const a = account(state, id);
  a[field] = toAmount(parseAmount(a[field]) + delta);
  state.stake_ledger ??= [];
  state.stake_ledger.push({ seq: at.seq, ref, account: id, kind, field, delta: toSignedAmount(delta) });
}

/** On a network that registers actors, a challenger must be registered, staked and able to pay its bond. */
export function challengerRefusal(state: ProtocolState, c: Challenge): Refusal | undefined {
  if (!identityEnforced(state)) return undefined;
  if (!state.actors[c.challenger]) return refuse('unknown_challenger', `${c.challenger} is not a registered actor`);
  const funds = state.accounts[c.challenger] ?? { balance: '0', stake: '0' };
  if (parseAmount(funds.stake) === 0n) return refuse('challenger_not_staked', `${c.challenger} has no stake`);
  if (parseAmount(funds.balance) < parseAmount(c.bond))
    return refuse('insufficient_balance', `${c.challenger} cannot post a bond of ${c.bond}`);
  return undefined;
}

/** Takes the bond from the challenger's balance (only where actors are registered). */
export function holdBond(state: ProtocolState, c: ChallengeRecord, at: LogPosition): void {
  if (!identityEnforced(state)) return;
  const bond = parseAmount(c.challenge.bond);
  if (bond === 0n) return;
  move(state, at, c.challenge.challenge_id, c.challenge.challenger, 'bond_held', 'balance', -bond);
  c.bond_held = toAmount(bond);
}

/** Settles the held bond: all back on a penalty, `bond_forfeit_bps` to the treasury otherwise. */
export function settleBond(
  state: ProtocolState,
  c: ChallengeRecord,
  penalty: boolean,
  policy: ParameterSet | undefined,
  at: LogPosition,
): void {
  const held = parseAmount(c.bond_held ?? '0');
  if (held === 0n) return;
  const forfeitBps = penalty ? 0 : (policy?.bond_forfeit_bps ?? DEFAULT_BOND_FORFEIT_BPS);
  const forfeited = (held * BigInt(forfeitBps)) / 10_000n;
  const id = c.challenge.challenge_id;
  move(state, at, id, state.treasury_account, 'bond_forfeited', 'balance', forfeited);
  move(state, at, id, c.challenge.challenger, 'bond_returned', 'balance', held - forfeited);
  c.bond_held = '0';
}

/**
 * Slashes `accused`'s stake by the policy's `slash_bps`; `beneficiary` receives
 * `challenger_reward_bps` of it, the treasury the rest. Returns the slashed amount.
 */
export function slashStake(
  state: ProtocolState,
  accused: string,
  beneficiary: string,
  ref: string,
  policy: ParameterSet | undefined,
  at: LogPosition,
): bigint {
  if (!policy) return 0n;
  const stake = parseAmount(state.accounts[accused]?.stake ?? '0');
  const slashed = (stake * BigInt(policy.slash_bps)) / 10_000n;
  if (slashed === 0n) return 0n;
  const reward = (slashed * BigInt(policy.challenger_reward_bps ?? DEFAULT_CHALLENGER_REWARD_BPS)) / 10_000n;
  move(state, at, ref, accused, 'slash', 'stake', -slashed);
  move(state, at, ref, beneficiary, 'challenger_reward', 'balance', reward);
  move(state, at, ref, state.treasury_account, 'treasury_share', 'balance', slashed - reward);
  return slashed;
}

/** The operator account answerable for `node` (an enterprise node or a master). */
export function operatorOf(state: ProtocolState, node: string | undefined): string | undefined {
  if (!node) return undefined;
  return state.enterprise_nodes[node]?.operator ?? state.masters[node]?.operator;
}
