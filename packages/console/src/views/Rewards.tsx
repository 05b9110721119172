/** Rewards per actor and the payouts they add up to, with each payout checked against the signed rewards root. */
import type { RewardRecord } from '@symphony/protocol';
import { verifyRewardsPayout } from '@symphony/sdk';
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
