/**
 * The behaviour every `ProtocolLog` adapter must have. `describeProtocolLogContract` registers a
 * suite; its factory is called once per test and must return an empty log.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { PortError } from '../../src/ports/errors.ts';
import { GENESIS_PREV_HASH, type LogEntry, type ProtocolLog } from '../../src/ports/protocol-log.ts';
import { delay, waitFor } from '../support/wait.ts';

/** A fresh, empty log for one test. */
export type ProtocolLogFixture = {
  readonly subject: ProtocolLog;
  /** For durable adapters: a new, independent adapter instance over the same storage. */
  readonly reopen?: () => Promise<ProtocolLog>;
  /** Closes what the fixture opened (including reopened instances) and removes its storage. */
  cleanup(): Promise<void>;
};

/** Options of the suite. */
export type ProtocolLogContractOptions = { readonly skip?: string | undefined };

/** An entry linked to `prev` with a unique hash (the log checks links, not hash contents). */
export function makeEntry(seq: number, prevHash: string, body: Record<string, unknown> = {}): LogEntry {
  const nonce = randomBytes(8).toString('hex');
  const hash = createHash('sha256')
    .update(`${seq}|${prevHash}|${nonce}|${JSON.stringify(body)}`)
    .digest('hex');
  return { seq, prev_hash: prevHash, hash, type: 'test_event', nonce, ...body };
}

/** A chain of `n` entries starting at seq 0. */
export function makeChain(n: number, body: (seq: number) => Record<string, unknown> = () => ({})): LogEntry[] {
  const chain: LogEntry[] = [];
  for (let seq = 0; seq < n; seq++) chain.push(makeEntry(seq, chain.at(-1)?.hash ?? GENESIS_PREV_HASH, body(seq)));
  return chain;
}

async function appendAll(log: ProtocolLog, entries: readonly LogEntry[]): Promise<void> {
  for (const entry of entries) assert.deepEqual(await log.append(entry), { ok: true, seq: entry.seq });
}

/** Content that shows whether the stored text is exact: key order, escapes, unicode, number forms. */
const trickyBody = (seq: number): Record<string, unknown> => ({
  zeta: 1,
  alpha: { b: [1, 2, { y: null, x: true }], a: 'ünïcødé ✓ 🎼', c: 'quote " backslash \\ newline \n tab \t' },
  numbers: [0, -1, 1.5, 1e21, 123456789012345, 0.1, -0.000001],
  empty: { list: [], object: {}, text: '' },
  control: '\u0000\u001f\u2028',
  seq_copy: seq,
});

/** Registers the `ProtocolLog` contract suite for one adapter. */
export function describeProtocolLogContract(
  name: string,
  factory: () => Promise<ProtocolLogFixture>,
  opts: ProtocolLogContractOptions = {},
): void {
  describe(name, { skip: opts.skip ?? false }, () => {
    let fx: ProtocolLogFixture;
    let log: ProtocolLog;
    beforeEach(async () => {
      fx = await factory();
      log = fx.subject;
    });
    afterEach(async () => {
      await fx?.cleanup();
    });

    it('has no head and no entries when empty', async () => {
      assert.equal(await log.head(), null);
      assert.deepEqual(await log.read(0), []);
      assert.deepEqual(await log.read(5, 10), []);
    });

    it('appends in order and reads entries back byte for byte', async () => {
      const chain = makeChain(6, trickyBody);
      await appendAll(log, chain);
      const read = await log.read(0);
      assert.equal(read.length, 6);
      for (const [i, entry] of read.entries()) assert.equal(JSON.stringify(entry), JSON.stringify(chain[i]));
      assert.deepEqual(
        (await log.read(2, 3)).map((e) => e.seq),
        [2, 3, 4],
      );
      assert.deepEqual(await log.read(6), []);
      assert.deepEqual(await log.head(), { seq: 5, hash: chain[5]?.hash });
    });

    it('refuses a stale writer with seq_conflict and reports the current head', async () => {
      const chain = makeChain(2);
      await appendAll(log, chain);
      const [e0, e1] = chain as [LogEntry, LogEntry];
      const head = { seq: 1, hash: e1.hash };
      assert.deepEqual(await log.append(makeEntry(1, e0.hash)), { ok: false, code: 'seq_conflict', head });
      assert.deepEqual(await log.append(makeEntry(0, GENESIS_PREV_HASH)), { ok: false, code: 'seq_conflict', head });
      assert.deepEqual(await log.append(makeEntry(5, e1.hash)), { ok: false, code: 'seq_conflict', head });
      assert.deepEqual(await log.head(), head);
      assert.equal((await log.read(0)).length, 2);
    });

    it('reports seq_conflict with a null head when writing past the end of an empty log', async () => {
      assert.deepEqual(await log.append(makeEntry(1, GENESIS_PREV_HASH)), {
        ok: false,
        code: 'seq_conflict',
        head: null,
      });
    });

    it('refuses a wrong prev_hash or a reused hash with bad_link', async () => {
      const genesisWrong = await log.append(makeEntry(0, 'f'.repeat(64)));
      assert.equal(genesisWrong.ok, false);
      assert.equal(!genesisWrong.ok && genesisWrong.code, 'bad_link');
      const [e0] = makeChain(1) as [LogEntry];
      await appendAll(log, [e0]);
      const wrongPrev = await log.append(makeEntry(1, 'a'.repeat(64)));
      assert.equal(!wrongPrev.ok && wrongPrev.code, 'bad_link');
      const reused = await log.append({ ...makeEntry(1, e0.hash), hash: e0.hash });
      assert.equal(!reused.ok && reused.code, 'bad_link');
      assert.deepEqual(await log.head(), { seq: 0, hash: e0.hash });
    });

    it('treats re-appending the stored entry as success, so a retry is safe', async () => {
      const chain = makeChain(3);
      await appendAll(log, chain);
      assert.deepEqual(await log.append(chain[1] as LogEntry), { ok: true, seq: 1 });
      assert.deepEqual(await log.append(chain[2] as LogEntry), { ok: true, seq: 2 });
      assert.equal((await log.read(0)).length, 3);
    });

    it('rejects malformed entries with invalid_entry', async () => {
      const good = makeEntry(0, GENESIS_PREV_HASH);
      for (const bad of [
        { ...good, seq: -1 },
        { ...good, seq: 0.5 },
        { ...good, hash: good.hash.toUpperCase() },
        { ...good, prev_hash: 'zz' },
      ]) {
        await assert.rejects(log.append(bad), (e: unknown) => e instanceof PortError && e.code === 'invalid_entry');
      }
      await assert.rejects(
        log.append({ ...good, big: 1n }),
        (e: unknown) => e instanceof PortError && e.code === 'invalid_entry',
      );
      assert.equal(await log.head(), null);
    });

    it('lets exactly one of 20 concurrent appenders win each round, leaving a gap-free chain', async () => {
      const rounds = 5;
      const winners: LogEntry[] = [];
      for (let round = 0; round < rounds; round++) {
        const prev = winners.at(-1)?.hash ?? GENESIS_PREV_HASH;
        const candidates = Array.from({ length: 20 }, (_, writer) => makeEntry(round, prev, { writer }));
        const outcomes = await Promise.all(candidates.map((c) => log.append(c)));
        const won = outcomes.flatMap((o, i) => (o.ok ? [candidates[i] as LogEntry] : []));
        assert.equal(won.length, 1, `round ${round}: ${won.length} winners`);
        for (const o of outcomes) if (!o.ok) assert.equal(o.code, 'seq_conflict');
        winners.push(won[0] as LogEntry);
      }
      const stored = await log.read(0);
      assert.deepEqual(
        stored.map((e) => e.seq),
        [0, 1, 2, 3, 4],
      );
      assert.deepEqual(
        stored.map((e) => e.hash),
        winners.map((e) => e.hash),
      );
      for (let i = 1; i < stored.length; i++) assert.equal(stored[i]?.prev_hash, stored[i - 1]?.hash);
    });

    it('appends a batch as one chain and reads it back byte for byte', async () => {
      const chain = makeChain(7, trickyBody);
      await appendAll(log, chain.slice(0, 2));
      assert.deepEqual(await log.appendBatch(chain.slice(2)), { appended: 5, outcome: { ok: true, seq: 6 } });
      const read = await log.read(0);
      assert.equal(read.length, 7);
      for (const [i, entry] of read.entries()) assert.equal(JSON.stringify(entry), JSON.stringify(chain[i]));
      assert.deepEqual(await log.head(), { seq: 6, hash: chain[6]?.hash });
      assert.deepEqual(await log.appendBatch([makeEntry(7, chain[6]!.hash)]), {
        appended: 1,
        outcome: { ok: true, seq: 7 },
      });
    });

    it('refuses a stale or badly linked batch without appending any of it', async () => {
      const chain = makeChain(2);
      await appendAll(log, chain);
      const [e0, e1] = chain as [LogEntry, LogEntry];
      const head = { seq: 1, hash: e1.hash };
      const stale = [makeEntry(1, e0.hash)];
      stale.push(makeEntry(2, stale[0]!.hash));
      assert.deepEqual(await log.appendBatch(stale), {
        appended: 0,
        outcome: { ok: false, code: 'seq_conflict', head },
      });
      const badLink = [makeEntry(2, 'a'.repeat(64))];
      badLink.push(makeEntry(3, badLink[0]!.hash));
      const refused = await log.appendBatch(badLink);
      assert.equal(refused.appended, 0);
      assert.equal(!refused.outcome.ok && refused.outcome.code, 'bad_link');
      const reused = [makeEntry(2, e1.hash)];
      reused.push({ ...makeEntry(3, reused[0]!.hash), hash: e0.hash });
      assert.deepEqual(await log.head(), head);
      assert.equal((await log.read(0)).length, 2);
      // A hash already in the log is refused; what the batch left in the log is a prefix of it
      // (nothing for adapters that append atomically, the first entry for one-by-one adapters).
      const reuse = await log.appendBatch(reused);
      assert.equal(!reuse.outcome.ok && reuse.outcome.code, 'bad_link');
      assert.deepEqual(
        (await log.read(0)).map((e) => e.hash),
        [e0.hash, e1.hash, ...reused.slice(0, reuse.appended).map((e) => e.hash)],
      );
    });

    it('treats re-appending a stored batch, or one whose first entries are stored, as success', async () => {
      const chain = makeChain(6);
      assert.deepEqual(await log.appendBatch(chain.slice(0, 3)), { appended: 3, outcome: { ok: true, seq: 2 } });
      assert.deepEqual(await log.appendBatch(chain.slice(0, 3)), { appended: 3, outcome: { ok: true, seq: 2 } });
      assert.deepEqual(await log.appendBatch(chain.slice(1, 6)), { appended: 5, outcome: { ok: true, seq: 5 } });
      assert.deepEqual(
        (await log.read(0)).map((e) => e.hash),
        chain.map((e) => e.hash),
      );
    });

    it('rejects an empty, malformed or unchained batch with invalid_entry', async () => {
      const [e0, e1] = makeChain(2) as [LogEntry, LogEntry];
      const isInvalid = (e: unknown) => e instanceof PortError && e.code === 'invalid_entry';
      await assert.rejects(log.appendBatch([]), isInvalid);
      await assert.rejects(log.appendBatch([e0, { ...e1, seq: 2 }]), isInvalid);
      await assert.rejects(log.appendBatch([e0, { ...e1, prev_hash: 'b'.repeat(64) }]), isInvalid);
      await assert.rejects(log.appendBatch([e0, { ...e1, hash: 'XY' }]), isInvalid);
      assert.equal(await log.head(), null);
    });

    it('lets exactly one of 10 concurrent batch writers win each round, whole, leaving a gap-free chain', async () => {
      const winners: LogEntry[] = [];
      for (let round = 0; round < 3; round++) {
        const base = winners.length;
        const prev = winners.at(-1)?.hash ?? GENESIS_PREV_HASH;
        const batches = Array.from({ length: 10 }, (_, writer) => {
          const batch = [makeEntry(base, prev, { writer })];
          for (let k = 1; k < 3; k++) batch.push(makeEntry(base + k, batch[k - 1]!.hash, { writer }));
          return batch;
        });
        const outcomes = await Promise.all(batches.map((b) => log.appendBatch(b)));
        const won = outcomes.flatMap((o, i) => (o.outcome.ok ? [batches[i]!] : []));
        assert.equal(won.length, 1, `round ${round}: ${won.length} winners`);
        for (const o of outcomes) if (!o.outcome.ok) assert.equal(o.appended, 0);
        assert.equal(outcomes.filter((o) => o.outcome.ok)[0]?.appended, 3);
        winners.push(...won[0]!);
      }
      const stored = await log.read(0);
      assert.deepEqual(
        stored.map((e) => e.hash),
        winners.map((e) => e.hash),
      );
      for (let i = 1; i < stored.length; i++) assert.equal(stored[i]?.prev_hash, stored[i - 1]?.hash);
    });

    it('wakes followers for a batch and delivers every entry of it in order', async () => {
      const chain = makeChain(5);
      await appendAll(log, chain.slice(0, 1));
      const seen: number[] = [];
      const follower = log.follow(0, (e) => {
        seen.push(e.seq);
      });
      await waitFor(() => seen.length === 1, 'the first entry');
      await log.appendBatch(chain.slice(1));
      await waitFor(() => seen.length === 5, 'the whole batch');
      assert.deepEqual(seen, [0, 1, 2, 3, 4]);
      await follower.stop();
    });

    it('follows: delivers the history, then live entries, in order and exactly once', async () => {
      const chain = makeChain(8);
      await appendAll(log, chain.slice(0, 3));
      const seen: number[] = [];
      const fromTwo: number[] = [];
      const follower = log.follow(0, async (entry) => {
        seen.push(entry.seq);
        await delay(1);
      });
      const late = log.follow(2, (entry) => {
        fromTwo.push(entry.seq);
      });
      await waitFor(() => seen.length === 3, 'the history');
      await appendAll(log, chain.slice(3, 6));
      await waitFor(() => seen.length === 6 && fromTwo.length === 4, 'live entries');
      await appendAll(log, chain.slice(6, 8));
      await waitFor(() => seen.length === 8, 'more live entries');
      await delay(150);
      assert.deepEqual(seen, [0, 1, 2, 3, 4, 5, 6, 7]);
      assert.deepEqual(fromTwo, [2, 3, 4, 5, 6, 7]);
      await follower.stop();
      await late.stop();
      await follower.done;
      const next = makeEntry(8, (chain[7] as LogEntry).hash);
      await appendAll(log, [next]);
      await delay(100);
      assert.equal(seen.length, 8, 'nothing is delivered after stop');
    });

    it('follows from a seq beyond the head, waiting for it', async () => {
      const chain = makeChain(4);
      const seen: LogEntry[] = [];
      const follower = log.follow(2, (entry) => {
        seen.push(entry);
      });
      await delay(50);
      assert.equal(seen.length, 0);
      await appendAll(log, chain);
      await waitFor(() => seen.length === 2, 'entries 2 and 3');
      assert.deepEqual(
        seen.map((e) => JSON.stringify(e)),
        chain.slice(2).map((e) => JSON.stringify(e)),
      );
      await follower.stop();
    });

    it('stops a follower whose handler throws and reports the error', async () => {
      await appendAll(log, makeChain(3));
      const seen: number[] = [];
      const follower = log.follow(0, (entry) => {
        seen.push(entry.seq);
        if (entry.seq === 1) throw new Error('projection failed');
      });
      await assert.rejects(follower.done, /projection failed/);
      await delay(50);
      assert.deepEqual(seen, [0, 1]);
      await follower.stop();
    });

    it('is durable: a new instance over the same storage sees the entries and extends the chain', async (t) => {
      if (!fx.reopen) {
        t.skip('this adapter keeps entries in process memory only');
        return;
      }
      const chain = makeChain(4, trickyBody);
      await appendAll(log, chain.slice(0, 3));
      const again = await fx.reopen();
      assert.deepEqual(await again.head(), { seq: 2, hash: chain[2]?.hash });
      assert.deepEqual(
        (await again.read(0)).map((e) => JSON.stringify(e)),
        chain.slice(0, 3).map((e) => JSON.stringify(e)),
      );
      assert.deepEqual(await again.append(chain[3] as LogEntry), { ok: true, seq: 3 });
      assert.deepEqual(await log.head(), { seq: 3, hash: chain[3]?.hash }, 'the first instance sees the new entry');
      const stale = await log.append(makeEntry(3, (chain[2] as LogEntry).hash));
      assert.equal(!stale.ok && stale.code, 'seq_conflict', 'instances race on one chain');
    });

    it('stops followers on close and refuses later calls with closed', async () => {
      await appendAll(log, makeChain(1));
      const seen: number[] = [];
      const follower = log.follow(0, (e) => {
        seen.push(e.seq);
      });
      await waitFor(() => seen.length === 1, 'the first entry');
      await log.close();
      await follower.done;
      const closed = (e: unknown) => e instanceof PortError && e.code === 'closed';
      await assert.rejects(log.head(), closed);
      await assert.rejects(log.read(0), closed);
      await assert.rejects(log.append(makeEntry(1, GENESIS_PREV_HASH)), closed);
    });
  });
}
