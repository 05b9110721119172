/** The text form of a settlement: state, root, statement, signatures, certificate and entries. */
import type { SettlementView } from '@symphony/api';
import type { Colors } from './colors.ts';
import { paintState } from './states.ts';
import { renderPairs, renderTable } from './table.ts';
import { groupDigits, shortHex } from './text.ts';

/** Renders a settlement view; `entries` false leaves the entries table out. */
export function renderSettlement(view: SettlementView, colors: Colors, options: { entries?: boolean } = {}): string {
  const lines: string[] = [];
  const statement = view.statement ?? view.certificate?.statement;
  lines.push(
    colors.bold(`settlement of epoch ${view.epoch_id}: ${paintState(view.state, colors)}`) +
      ` (attempt ${view.attempt})`,
  );
  if (view.failure_reason) lines.push(`  ${colors.red('failure')}: ${view.failure_reason}`);
  if (statement) {
    lines.push(`  settlement root  ${colors.bold(statement.settlement_root)}`);
    lines.push('');
    lines.push(colors.bold('statement') + colors.dim(' (what each master signs)'));
    lines.push(
      renderPairs(
        [
          ['network_id', statement.network_id],
          ['epoch_id', String(statement.epoch_id)],
          ['attempt', String(statement.attempt)],
          ['settlement_root', statement.settlement_root],
          ['entry_count', String(statement.entry_count)],
          ['rewards_root', statement.rewards_root],
          ['reward_count', String(statement.reward_count)],
        ],
        '  ',
      ),
    );
  } else {
    lines.push(colors.dim('  no candidate yet: the settlement root appears once the candidate is built'));
  }
  lines.push('');
  const certified = new Set(view.certificate?.signatures.map((s) => s.master_id) ?? []);
  const matching = view.signatures.filter((s) => s.matches_candidate).length;
  lines.push(colors.bold(`master signatures: ${view.signatures.length} (${matching} match the candidate)`));
  if (view.signatures.length > 0) {
    lines.push(
      renderTable(
        [{ header: '  MASTER' }, { header: 'SIGNATURE' }, { header: 'MATCHES' }, { header: 'IN CERTIFICATE' }],
        view.signatures.map((s) => [
          `  ${s.master_id}`,
          shortHex(s.signature, 12),
          s.matches_candidate ? colors.green('yes') : colors.red('no'),
          certified.has(s.master_id) ? 'yes' : '-',
        ]),
      ),
    );
  }
  lines.push('');
  if (view.certificate) {
    const c = view.certificate;
    lines.push(colors.bold('quorum certificate'));
    lines.push(
      renderPairs(
        [
          ['signatures', `${c.signatures.length} (${c.signatures.map((s) => s.master_id).join(', ')})`],
          ['root', c.statement.settlement_root],
          ['attempt', String(c.statement.attempt)],
          ['finalized at', `log seq ${c.finalized_at_seq}`],
        ],
        '  ',
      ),
    );
  } else {
    lines.push(colors.dim('no quorum certificate yet'));
  }
  if (options.entries !== false) {
    lines.push('');
    lines.push(colors.bold(`entries: ${view.entries.length}`));
    if (view.entries.length > 0) {
      lines.push(
        renderTable(
          [
            { header: '  TASK' },
            { header: 'CLASS' },
            { header: 'FEE', align: 'right' },
            { header: 'REFUND', align: 'right' },
            { header: 'CONTRIBUTORS', align: 'right' },
            { header: 'RECEIPT' },
          ],
          view.entries.map((e) => [
            `  ${e.task_id}`,
            e.class,
            groupDigits(e.fee),
            groupDigits(e.refund),
            String(e.contributions.length),
            shortHex(e.receipt_hash),
          ]),
        ),
      );
    }
  }
  return lines.join('\n');
}
