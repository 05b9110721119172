/** Lifecycle steps give way to running admissions, but never wait forever. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AdmissionPriority } from '../../src/coordination/admission-priority.ts';

const settled = async (p: Promise<unknown>) => {
  let done = false;
  void p.then(() => {
    done = true;
  });
  await new Promise((r) => setImmediate(r));
  return done;
};

describe('admission priority', () => {
  it('lets a step start at once when no admission runs', async () => {
    const priority = new AdmissionPriority(60_000);
    assert.equal(await settled(priority.giveWay()), true);
  });

  it('holds a step while an admission runs and releases it when the last one ends', async () => {
    const priority = new AdmissionPriority(60_000);
    let finishFirst!: () => void;
    let finishSecond!: () => void;
    const first = priority.admit(() => new Promise<string>((r) => (finishFirst = () => r('first'))));
    const second = priority.admit(() => new Promise<string>((r) => (finishSecond = () => r('second'))));
    assert.equal(priority.admitting, 2);
    const step = priority.giveWay();
    assert.equal(await settled(step), false);
    finishFirst();
    assert.equal(await first, 'first');
    assert.equal(await settled(step), false);
    finishSecond();
    assert.equal(await second, 'second');
    assert.equal(await settled(step), true);
    assert.equal(priority.admitting, 0);
  });

  it('releases a step after its bounded wait even if admissions never stop', async () => {
    const priority = new AdmissionPriority(1);
    void priority.admit(() => new Promise<void>(() => {}));
    await priority.giveWay();
    assert.equal(priority.admitting, 1);
  });

  it('lets deferred steps go a few per event-loop turn, never all at once', async () => {
    const priority = new AdmissionPriority(60_000, 2);
    let finish!: () => void;
    const admission = priority.admit(() => new Promise<void>((r) => (finish = r)));
    let started = 0;
    const steps = Array.from({ length: 5 }, () => priority.giveWay().then(() => started++));
    assert.equal(priority.deferred, 5);
    finish();
    await admission;
    const perTurn: number[] = [];
    for (let turn = 0; turn < 3; turn++) {
      const before = started;
      await new Promise((r) => setImmediate(r));
      perTurn.push(started - before);
    }
    await Promise.all(steps);
    assert.deepEqual(perTurn, [2, 2, 1]);
    assert.equal(priority.deferred, 0);
  });

  it('counts a failed admission as ended', async () => {
    const priority = new AdmissionPriority(60_000);
    await assert.rejects(
      priority.admit(async () => {
        throw new Error('refused');
      }),
      /refused/,
    );
    assert.equal(priority.admitting, 0);
    assert.equal(await settled(priority.giveWay()), true);
  });
});
