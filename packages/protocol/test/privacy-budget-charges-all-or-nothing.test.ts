import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type BudgetLedger, charge, spent, windowOf } from '../src/index.ts';

const w = windowOf(3, 24);

describe('the privacy budget ledger', () => {
  it('charges every pseudonym, and refuses a release whole when one would pass the limit', () => {
    const a = charge({}, { scope: 'analytics', window: w, limit: 100, charges: [{ pseudonym: 'p1', amount: 60 }] });
    assert.ok(a.ok);
    const before: BudgetLedger = structuredClone(a.ledger);
    const b = charge(a.ledger, {
      scope: 'analytics',
      window: w,
      limit: 100,
      charges: [
        { pseudonym: 'p2', amount: 60 },
        { pseudonym: 'p1', amount: 60 },
      ],
    });
    assert.deepEqual(b, { ok: false, code: 'privacy_budget_exhausted', over: 1 });
    assert.deepEqual(a.ledger, before, 'the input ledger is untouched');
    assert.equal(spent(a.ledger, 'analytics', w, 'p2'), 0, 'nothing charged to p2');
    const c = charge(a.ledger, {
      scope: 'analytics',
      window: w,
      limit: 100,
      charges: [{ pseudonym: 'p1', amount: 40 }],
    });
    assert.ok(c.ok);
    assert.equal(spent(c.ledger, 'analytics', w, 'p1'), 100);
  });

  it('keeps scopes apart and refreshes at the window boundary', () => {
    const a = charge({}, { scope: 'analytics', window: w, limit: 10, charges: [{ pseudonym: 'p', amount: 10 }] });
    assert.ok(a.ok);
    const other = charge(a.ledger, {
      scope: 'model_training',
      window: w,
      limit: 10,
      charges: [{ pseudonym: 'p', amount: 10 }],
    });
    assert.ok(other.ok);
    assert.deepEqual(windowOf(24, 24), windowOf(1, 24));
    assert.equal(windowOf(25, 24).start_epoch, 25);
    const next = charge(a.ledger, {
      scope: 'analytics',
      window: windowOf(25, 24),
      limit: 10,
      charges: [{ pseudonym: 'p', amount: 10 }],
    });
    assert.ok(next.ok);
    assert.equal(
      charge(a.ledger, { scope: 'analytics', window: w, limit: 10, charges: [{ pseudonym: 'p', amount: 1 }] }).ok,
      false,
    );
  });

  it('refuses malformed charges', () => {
    for (const amount of [0, -1, 1.5]) {
      const r = charge({}, { scope: 'analytics', window: w, limit: 10, charges: [{ pseudonym: 'p', amount }] });
      assert.equal(r.ok, false);
    }
  });
});
