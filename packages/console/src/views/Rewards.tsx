/** Rewards per actor and the payouts they add up to, with each payout checked against the signed rewards root. */
import type { RewardRecord } from '@symphony/protocol';
import { verifyPayoutClaim, verifyRewardsPayout } from '@symphony/sdk';
import { Empty, ErrorState, Loading } from '../components.tsx';
import type { Session } from '../session.ts';
import { usePoll } from '../use-poll.ts';

type Payout = {
  epoch: number;
  account: string;
  amount: bigint;
  records: number;
  roles: Set<string>;
  verified?: boolean;
};

/** The signed-in actor's payout claims, each proven in its batch's claims tree here in the browser. */
function MyClaims({ session }: { session: Session }) {
  const claims = usePoll(
    async () => {
      const { intents, batches } = await session.client.listPayouts({ actor: session.actorId });
      const proofs = await Promise.all(
        batches.map(async (b) => {
          const proof = await session.client.getPayoutClaim(b.batch_id, session.actorId).catch(() => undefined);
          return { batch: b, proof, check: proof ? verifyPayoutClaim(proof, b.claims_root) : undefined };
        }),
      );
      return { intents, proofs };
    },
    [session],
    5000,
  );
  if (claims.error) return <ErrorState error={claims.error} onRetry={claims.refresh} />;
  if (!claims.data) return <Loading what="your payouts" />;
  const mine = claims.data.proofs.filter((p) => p.proof);
  if (mine.length === 0)
    return (
      <Empty title={`No payout claims for ${session.actorId} yet`}>
        Claims appear once an epoch in which you earned rewards is finalized and its payouts are batched.
      </Empty>
    );
  return (
    <div className="table-wrap">
      <table>
        <thead>
          <tr>
            <th scope="col">epoch</th>
            <th scope="col">batch</th>
            <th scope="col">amount</th>
            <th scope="col">batch state</th>
            <th scope="col">claim proof</th>
          </tr>
        </thead>
        <tbody>
          {mine.map(({ batch, proof, check }) => (
            <tr key={batch.batch_id}>
              <td>{batch.epoch_id}</td>
              <td>
                <code>{batch.batch_id}</code>
              </td>
              <td>{proof?.amount}</td>
              <td>{batch.state}</td>
              <td data-testid="claim-check">
                {check?.ok ? "✓ in the batch's claims root" : `✗ ${check && !check.ok ? check.message : 'no proof'}`}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function Rewards({ session }: { session: Session }) {
  const data = usePoll(async () => {
    const { rewards } = await session.client.listRewards();
    const epochs = [...new Set(rewards.map((r) => r.epoch_id))];
    const settlements = await Promise.all(epochs.map((e) => session.client.getSettlement(e).catch(() => undefined)));
    return { rewards, settlements };
  }, [session]);
  if (data.error) return <ErrorState error={data.error} onRetry={data.refresh} />;
  if (!data.data) return <Loading what="rewards" />;
  const { rewards, settlements } = data.data;
  if (rewards.length === 0)
    return (
      <section>
        <h1>Rewards and payouts</h1>
        <Empty title="No rewards yet">
          Rewards are calculated when an epoch with verified tasks is settled: close the epoch.
        </Empty>
      </section>
    );
  const payouts = new Map<string, Payout>();
  for (const r of rewards) {
    const key = `${r.epoch_id}/${r.account}`;
    const p = payouts.get(key) ?? { epoch: r.epoch_id, account: r.account, amount: 0n, records: 0, roles: new Set() };
    p.amount += BigInt(r.amount ?? '0');
    p.records += 1;
    p.roles.add(r.role);
    payouts.set(key, p);
  }
  for (const p of payouts.values()) {
    const qc = settlements.find((s) => s?.epoch_id === p.epoch)?.quorum_certificate;
    if (!qc) continue;
    const epochRewards: RewardRecord[] = rewards.filter((r) => r.epoch_id === p.epoch);
    p.verified = verifyRewardsPayout(
      { epoch_id: p.epoch, account: p.account, amount: p.amount.toString() },
      epochRewards,
      qc,
    ).ok;
  }
  const rows = [...payouts.values()].sort((a, b) => b.epoch - a.epoch || a.account.localeCompare(b.account));
  return (
    <section aria-labelledby="rewards-title">
      <h1 id="rewards-title">Rewards and payouts</h1>
      <h2>Your payout claims</h2>
      <MyClaims session={session} />
      <h2>Rewards per actor</h2>
      <p className="muted">
        A payout is checked here against the epoch's signed rewards root (the quorum certificate): the records must
        rebuild it and add up to the amount.
      </p>
      <div className="table-wrap">
        <table>
          <thead>
            <tr>
              <th scope="col">epoch</th>
              <th scope="col">actor</th>
              <th scope="col">roles</th>
              <th scope="col">records</th>
              <th scope="col">amount</th>
              <th scope="col">payout check</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((p) => (
              <tr key={`${p.epoch}/${p.account}`}>
                <td>{p.epoch}</td>
                <td>{p.account}</td>
                <td>{[...p.roles].join(', ')}</td>
                <td>{p.records}</td>
                <td>{p.amount.toString()}</td>
                <td>
                  {p.verified === undefined
                    ? 'not finalized'
                    : p.verified
                      ? '✓ matches the signed root'
                      : '✗ does not match'}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
