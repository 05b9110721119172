/** Epochs and their settlement state; one epoch's settlement with signatures, certificate and a proof checked here. */
import type { SettlementProof } from '@symphony/api';
import { verifySettlementProof } from '@symphony/sdk';
import { useState } from 'react';
import { Empty, ErrorState, Hash, Json, Loading, Pairs, StateBadge, time } from '../components.tsx';
import type { Session } from '../session.ts';
import { usePoll } from '../use-poll.ts';

export function Epochs({ session }: { session: Session }) {
  const epochs = usePoll(() => session.client.listEpochs(), [session]);
  if (epochs.error) return <ErrorState error={epochs.error} onRetry={epochs.refresh} />;
  if (!epochs.data) return <Loading what="epochs" />;
  const rows = [...epochs.data.epochs].sort((a, b) => b.epoch_id - a.epoch_id);
  return (
    <section aria-labelledby="epochs-title">
      <h1 id="epochs-title">Epochs and settlement</h1>
      <p>
        Current epoch: {epochs.data.current_epoch}. Closing one (governance: `symphony epoch close`) settles its tasks.
      </p>
      {rows.length === 0 ? (
        <Empty title="No epochs yet">The network opens epoch 0 at genesis; reload once it is up.</Empty>
      ) : (
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">epoch</th>
                <th scope="col">state</th>
                <th scope="col">settlement</th>
                <th scope="col">tasks</th>
                <th scope="col">root</th>
                <th scope="col">opened</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((e) => (
                <tr key={e.epoch_id}>
                  <td>
                    <a href={`#/epochs/${e.epoch_id}`}>epoch {e.epoch_id}</a>
                  </td>
                  <td>{e.state}</td>
                  <td>
                    <StateBadge state={e.settlement_state} />
                  </td>
                  <td>{e.task_count}</td>
                  <td>
                    <Hash value={e.settlement_root} />
                  </td>
                  <td>{time(e.opened_at_ms)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

type Checked = { taskId: string; proof?: SettlementProof; ok?: boolean; message?: string };

export function EpochDetail({ session, epochId }: { session: Session; epochId: number }) {
  const settlement = usePoll(() => session.client.getSettlement(epochId), [session, epochId]);
  const network = usePoll(() => session.client.getNetwork(), [session], 0);
  const [checked, setChecked] = useState<Checked>();

  const check = async (taskId: string) => {
    setChecked({ taskId, message: 'fetching the proof…' });
    try {
      const proof = await session.client.getSettlementProof(epochId, taskId);
      const masters = network.data?.masters ?? (await session.client.getNetwork()).masters;
      // Checked here, in the browser: JCS leaf, RFC 6962 audit path, and the masters' Ed25519 signatures.
      const verdict = verifySettlementProof(proof, masters);
      setChecked(
        verdict.ok
          ? { taskId, proof, ok: true, message: 'Proof verified in your browser' }
          : { taskId, proof, ok: false, message: `Proof rejected: ${verdict.reason}: ${verdict.message}` },
      );
    } catch (e) {
      setChecked({ taskId, ok: false, message: e instanceof Error ? e.message : String(e) });
    }
  };

  if (settlement.error) return <ErrorState error={settlement.error} onRetry={settlement.refresh} />;
  if (!settlement.data) return <Loading what={`epoch ${epochId}`} />;
  const s = settlement.data;
  const statement = s.quorum_certificate?.statement ?? s.statement;
  return (
    <section aria-labelledby="epoch-title">
      <p>
        <a href="#/epochs">← epochs</a>
      </p>
      <h1 id="epoch-title">
        Epoch {s.epoch_id} settlement <StateBadge state={s.state} />
      </h1>
      <Pairs
        rows={[
          ['attempt', s.attempt],
          ['settlement root', <Hash key="r" value={statement?.settlement_root} />],
          ['entries', statement?.entry_count ?? s.entries.length],
          ['rewards root', <Hash key="w" value={statement?.rewards_root} />],
          ['rewards', statement?.reward_count ?? '—'],
          ...(s.failure_reason ? [['failure', s.failure_reason] as [string, string]] : []),
        ]}
      />
      <h2>Master signatures</h2>
      {s.signatures.length === 0 ? (
        <Empty title="No signatures yet">
          Masters sign once the candidate's challenge window has passed; this updates by itself.
        </Empty>
      ) : (
        <ul>
          {s.signatures.map((g) => (
            <li key={g.master_id}>
              {g.master_id}: <Hash value={g.signature} />{' '}
              {g.matches_candidate ? '(matches the candidate)' : '(another statement)'}
            </li>
          ))}
        </ul>
      )}
      <h2>Quorum certificate</h2>
      {s.quorum_certificate ? (
        <details>
          <summary>
            Signed by {s.quorum_certificate.signatures.map((g) => g.master_id).join(', ')} at log #
            {s.quorum_certificate.finalized_at_seq}
          </summary>
          <Json value={s.quorum_certificate} />
        </details>
      ) : (
        <p className="muted">Not finalized yet: the certificate appears when a quorum of masters signed.</p>
      )}
      <h2>Entries</h2>
      {s.entries.length === 0 ? (
        <Empty title="No entries">No verified task settles in this epoch.</Empty>
      ) : (
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">task</th>
                <th scope="col">class</th>
                <th scope="col">fee</th>
                <th scope="col">refund</th>
                <th scope="col">inclusion</th>
              </tr>
            </thead>
            <tbody>
              {s.entries.map((e) => (
                <tr key={e.task_id}>
                  <td>
                    <a href={`#/tasks/${e.task_id}`}>{e.task_id}</a>
                  </td>
                  <td>{e.class}</td>
                  <td>{e.fee}</td>
                  <td>{e.refund}</td>
                  <td>
                    <button type="button" onClick={() => check(e.task_id)} disabled={!s.quorum_certificate}>
                      Verify proof
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {checked && (
        <div
          className={`notice ${checked.ok ? 'ok' : checked.ok === false ? 'error' : ''}`}
          role="status"
          data-testid="proof-status"
        >
          <strong>{checked.message}</strong>
          {checked.proof && (
            <p>
              {checked.taskId} is leaf {checked.proof.leaf_index} of {checked.proof.tree_size}; the audit path has{' '}
              {checked.proof.audit_path.length} hashes and leads to <Hash value={checked.proof.settlement_root} />,
              signed by {checked.proof.quorum_certificate?.signatures.length ?? 0} masters.
            </p>
          )}
        </div>
      )}
    </section>
  );
}
