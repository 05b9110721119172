/**
 * Replay of an exported log on a fresh node: the clean export reproduces every checkpoint and the
 * head's state hash; an altered byte in an entry or a checkpoint, a dropped entry or a missing head
 * line stops the replay naming the entry.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { stateHash } from '@symphony/protocol';
import { MemoryProtocolLog } from '../../src/adapters/memory-protocol-log.ts';
import { exportLinesOf } from '../../src/assurance/log-export.ts';
import { replayExport } from '../../src/assurance/replay-log.ts';
import { resolvedNetwork } from './resolved-network.ts';

const net = resolvedNetwork(3, 4);
const clean = [...exportLinesOf(net.entries)];

async function* linesOf(lines: readonly string[]) {
  yield* lines;
}

const replay = (lines: readonly string[], progress?: (n: number) => void) =>
  replayExport(linesOf(lines), {
    log: new MemoryProtocolLog(),
    progressEvery: 10,
    batchSize: 7,
    ...(progress ? { onProgress: progress } : {}),
  });

/** Changes one character of `line` at `at` (a hex digit or a decimal digit stays one). */
function flip(line: string, at: number): string {
  const c = line[at]!;
  const to = c === '0' ? '1' : c === 'a' ? 'b' : c === '9' ? '8' : '0';
  return line.slice(0, at) + to + line.slice(at + 1);
}

describe('replay of an exported log', () => {
  it('reproduces every checkpoint and the head state hash, appending every entry to the new log', async () => {
    const log = new MemoryProtocolLog();
    const seen: number[] = [];
    const out = await replayExport(linesOf(clean), { log, progressEvery: 10, onProgress: (n) => seen.push(n) });
    assert.ok(out.ok, JSON.stringify(out));
    assert.equal(out.entries, net.entries.length);
    // One checkpoint per epoch close and per finalization, plus the head.
    assert.equal(out.checkpoints, 3 * 2 + 1);
    assert.equal(out.head.state_hash, stateHash(net.state));
    assert.equal(out.head.settlements.filter((s) => s.state === 'finalized').length, 3);
    assert.deepEqual(await log.head(), net.state.head);
    assert.ok(seen.length >= 2 && seen.at(-1) === net.entries.length);
  });

  it('an altered byte in an entry names that entry (bad hash)', async () => {
    const lines = [...clean];
    const i = lines.findIndex((l) => l.includes('"type":"execution_receipt_recorded"'));
    const seq = JSON.parse(lines[i]!).seq as number;
    lines[i] = flip(lines[i]!, lines[i]!.indexOf('"time_ms":') + 12);
    const out = await replay(lines);
    assert.ok(!out.ok);
    assert.equal(out.code, 'chain_broken');
    assert.equal(out.seq, seq);
    assert.equal(out.line, i + 1);
    assert.match(out.message, new RegExp(`entry ${seq} \\(line ${i + 1}\\) breaks the hash chain: bad_hash`));
  });

  it('an altered byte in a checkpoint names the entry it follows', async () => {
    const lines = [...clean];
    const i = lines.findIndex((l) => l.startsWith('{"checkpoint"'));
    const seq = JSON.parse(lines[i]!).checkpoint.seq as number;
    lines[i] = flip(lines[i]!, lines[i]!.indexOf('"reward_ledger_hash":"') + 25);
    const out = await replay(lines);
    assert.ok(!out.ok);
    assert.equal(out.code, 'checkpoint_mismatch');
    assert.equal(out.seq, seq);
    assert.match(out.message, new RegExp(`after entry ${seq} .*reward ledger hash`));
  });

  it('a dropped entry names the position it left empty; a line that is not JSON names the entry expected', async () => {
    const i = clean.findIndex((l) => l.includes('"seq":20,'));
    const dropped = await replay([...clean.slice(0, i), ...clean.slice(i + 1)]);
    assert.ok(!dropped.ok);
    assert.equal(dropped.code, 'chain_broken');
    assert.equal(dropped.seq, 20);
    assert.match(dropped.message, /bad_seq/);

    const broken = [...clean];
    broken[i] = broken[i]!.slice(0, -1);
    const bad = await replay(broken);
    assert.ok(!bad.ok);
    assert.equal(bad.code, 'bad_line');
    assert.equal(bad.seq, 20);
  });

  it('an export without its head line is truncated; a log that is not empty is refused', async () => {
    const truncated = await replay(clean.slice(0, -1));
    assert.ok(!truncated.ok);
    assert.equal(truncated.code, 'truncated');

    const log = new MemoryProtocolLog();
    await log.append(net.entries[0] as never);
    const refused = await replayExport(linesOf(clean), { log });
    assert.ok(!refused.ok);
    assert.equal(refused.code, 'not_empty');
  });
});
