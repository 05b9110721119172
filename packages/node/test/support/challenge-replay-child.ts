/**
 * Replays one challenge's adjudication in a fresh process: `node --import tsx
 * challenge-replay-child.ts BUNDLE.json`, where the bundle is what `GET /v1/challenges/{id}/replay`
 * answers (the log, the evidence, the findings). Prints one JSON line with the decision.
 */
import { readFileSync } from 'node:fs';
import type { ChallengeReplayBundle } from '@symphony/api';
import { type Entry, replayAdjudication } from '@symphony/protocol';

const [file] = process.argv.slice(2);
if (!file) throw new Error('usage: challenge-replay-child.ts BUNDLE.json');
const bundle = JSON.parse(readFileSync(file, 'utf8')) as ChallengeReplayBundle;
const r = replayAdjudication(bundle.entries as Entry[], bundle.challenge_id, bundle.evidence, bundle.findings);
process.stdout.write(
  `${JSON.stringify({ outcome: r?.adjudication.outcome, decision_hash: r?.decision_hash, matches: r?.matches })}\n`,
);
