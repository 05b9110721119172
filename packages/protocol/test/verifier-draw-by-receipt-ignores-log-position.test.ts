import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assignVerification } from '../src/index.ts';
import { fakeDigest } from './support/network-fixture.ts';
import { verificationNetwork } from './support/verification-network.ts';

/** Draws for one receipt recorded at 40 different log positions, under the given `verifier_draw`. */
function drawsAcrossPositions(draw: 'log_entry' | 'receipt' | undefined, receipt: string) {
  const net = verificationNetwork();
  const policy = net.state.parameter_history[0]!;
  if (draw) policy.verifier_draw = draw;
  else delete policy.verifier_draw;
  return Array.from({ length: 40 }, (_, seq) =>
    JSON.stringify(
      (({ seq: _s, ...rest }) => rest)(
        assignVerification(net.state, {
          task_id: 'tsk_x',
          attempt: 1,
          policy_version: policy.policy_version,
          executor_node: 'node_ent-a',
          seq,
          entryHash: fakeDigest(`e${seq}`),
          receiptHash: receipt,
        }),
      ),
    ),
  );
}

describe("verifier draw: 'receipt' seeds by the receipt alone, the default by its log entry", () => {
  it('by default, the same receipt at other log positions draws other verifiers', () => {
    assert.ok(new Set(drawsAcrossPositions(undefined, fakeDigest('r1'))).size > 1);
    assert.ok(new Set(drawsAcrossPositions('log_entry', fakeDigest('r1'))).size > 1);
  });

  it("under 'receipt', one receipt draws one verifier wherever it lands, and receipts spread", () => {
    const perReceipt = Array.from({ length: 12 }, (_, i) => drawsAcrossPositions('receipt', fakeDigest(`r${i}`)));
    for (const draws of perReceipt) assert.equal(new Set(draws).size, 1);
    assert.ok(new Set(perReceipt.map((d) => d[0])).size > 1, 'different receipts draw different verifiers');
  });
});
