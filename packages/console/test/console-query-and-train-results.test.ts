/**
 * The console's result views in headless Chromium against `symphony up`, on data ingested here:
 * a real Query (submitted through the SDK, watched to `completed`) shows its released groups as a
 * table and a chart, and a group under k_min distinct subjects appears nowhere, neither as a row
 * nor as a count; a real federated Train task shows its held-out accuracy per round as a curve
 * with a table of the same figures, live while it trains (every round from the rounds route, none
 * missed between two polls) and complete from the first drawing when opened after training. Both
 * views are checked by keyboard and on a phone's width.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { RecordInput, SubmitTaskRequest, TaskView } from '@symphony/api';
import { SymphonyClient, watchTask } from '@symphony/sdk';
import { signerFromKeyFile } from '@symphony/sdk/node';
import { type RunningNetwork, symphonyUp } from '@symphony/sdk/testing';
import type { Page } from 'playwright-core';
import { type Browser, openBrowser, shot, shotOf, signIn, skipWithoutChromium as skip } from './support/browser.ts';

const TARGETS = ['vlt_lioncity-app', 'vlt_straits-wallet'];
const MERCHANTS = ['Kopi Tiam', 'Bread Co', 'Noodle Bar'];
/** Two subjects in each target Vault, four in all: under k_min (5), so the enclave suppresses this group. */
const SMALL_MERCHANT = 'Hidden Stall';
const ROUNDS = 5;

let network: RunningNetwork;
let browser: Browser;
let page: Page;
let client: SymphonyClient;

/**
 * 60 subjects per Vault, each buying at one of three merchants; two purchases in three are coffee,
 * cheaper than bread but overlapping it, amounts spread to the cent (so the held-out accuracy moves
 * from round to round).
 */
function recordsOf(vault: string): RecordInput[] {
  const tag = `s-${vault.slice(4, 8)}`;
  const records: RecordInput[] = Array.from({ length: 120 }, (_, i) => {
    const coffee = i % 3 !== 0;
    const tenths = (i * 7) % 60;
    return {
      subject: `act_${tag}-${String(i % 60).padStart(2, '0')}`,
      fields: {
        merchant: MERCHANTS[i % 3]!,
        category: coffee ? 'coffee' : 'bakery',
        city: 'Singapore',
        total_amount: `${(coffee ? 3 : 5) + Math.floor(tenths / 10)}.${tenths % 10}0`,
        purchased_at: `2026-10-${String(1 + (i % 28)).padStart(2, '0')}T09:00:00Z`,
      },
    };
  });
  for (let i = 0; i < 2; i++)
    records.push({
      subject: `act_${tag}-small-${i}`,
      fields: {
        merchant: SMALL_MERCHANT,
        category: 'coffee',
        city: 'Singapore',
        total_amount: '4.50',
        purchased_at: '2026-10-02T09:00:00Z',
      },
    });
  return records;
}

async function watchUntil(taskId: string, states: TaskView['state'][]): Promise<TaskView> {
  let last: TaskView | undefined;
  for await (const t of watchTask(client, taskId, { until: [...states, 'rejected', 'timed_out'] })) last = t;
  assert.ok(last && states.includes(last.state), `task ${taskId} ended ${last?.state} (${last?.reason_code ?? ''})`);
  return last;
}

/** Tab from the top of the page until the focused element is the link to `taskId`; Enter opens it. */
async function openByKeyboard(taskId: string): Promise<void> {
  await page.goto(`${network.url}/console/#/tasks`);
  await page.getByRole('link', { name: taskId }).waitFor();
  for (let i = 0; i < 40; i++) {
    await page.keyboard.press('Tab');
    if ((await page.locator(':focus').textContent()) === taskId) break;
  }
  assert.equal(await page.locator(':focus').textContent(), taskId, 'the task link takes focus');
  await page.keyboard.press('Enter');
  await page.locator('#task-title').filter({ hasText: taskId }).waitFor();
}

/**
 * Page script: records in `window.__curve` each distinct list of rounds the Train curve's points
 * show (starting now, and on every DOM change), so a test sees every curve the page drew.
 */
const RECORD_CURVE = `(() => {
  window.__curve = [];
  const record = () => {
    const rounds = [...document.querySelectorAll('[data-testid=train-chart] circle[data-round]')].map((c) =>
      Number(c.getAttribute('data-round')),
    );
    const last = window.__curve.at(-1);
    if (!last || last.join() !== rounds.join()) window.__curve.push(rounds);
  };
  window.__curveObserver?.disconnect();
  window.__curveObserver = new MutationObserver(record);
  window.__curveObserver.observe(document, { subtree: true, childList: true, attributes: true });
  record();
})()`;

/** A task of the operator actor on the two target Vaults; its class follows the spec. */
function requestOf(
  consent_scope: SubmitTaskRequest['consent_scope'],
  attributes: string[],
  spec: SubmitTaskRequest['spec'],
): SubmitTaskRequest {
  return {
    class: spec.kind,
    submitter: 'act_local',
    consent_scope,
    targets: { vault_ids: TARGETS },
    semantic: { domain: 'commerce.receipt', semantic_version: '1.0.0', attributes },
    budget: { max_fee: '1000000' },
    spec,
  };
}

/** Elements that reach past the window's right edge outside a scrolling frame (tag.class: px). */
function widerThanScreen(p: Page): Promise<string[]> {
  return p.evaluate<string[]>(`[...document.querySelectorAll('main *')]
    .filter((e) => !e.closest('.table-wrap, pre') && e.getBoundingClientRect().right > window.innerWidth + 1)
    .map((e) => e.tagName.toLowerCase() + '.' + e.className + ': ' + Math.round(e.getBoundingClientRect().right))`);
}

before(async () => {
  if (skip) return;
  network = await symphonyUp();
  client = new SymphonyClient({ baseUrl: network.url, signer: signerFromKeyFile(network.keyFile()) });
  for (const vault_id of TARGETS) {
    const records = recordsOf(vault_id);
    await client.ingestRecords(vault_id, { records });
    const subjects = [...new Set(records.map((r) => r.subject))];
    for (const scope of ['analytics', 'model_training'] as const)
      await client.grantConsents(
        subjects.map((subject) => ({ vault_id, subject, scope, expires_at_ms: Date.UTC(2100, 0, 1) })),
      );
  }
  browser = await openBrowser();
  page = browser.page;
  await signIn(page, network, 'act_local');
});

after(async () => {
  await browser?.close();
  await network?.stop();
});

test('a Query shows its released groups as a table and a chart, and a suppressed group nowhere', { skip }, async () => {
  const request = requestOf('analytics', ['merchant', 'total_amount'], {
    kind: 'query',
    filter: [],
    group_by: ['merchant'],
    aggregates: [
      { fn: 'count_distinct_subjects' },
      { fn: 'mean', attribute: 'total_amount', clamp: { lower: '0', upper: '20' } },
    ],
  });
  const taskId = (await client.submitTask(request)).task.task_id;
  await watchUntil(taskId, ['awaiting_settlement']);
  await client.closeCurrentEpoch();
  await watchUntil(taskId, ['completed']);

  // What the API released: the three merchants, not the small one.
  const released = (await client.getTaskResult(taskId)).output as { rows: { group: { merchant: string } }[] };
  assert.deepEqual(released.rows.map((r) => r.group.merchant).sort(), [...MERCHANTS].sort());

  await openByKeyboard(taskId);
  await page.locator('h1 .badge', { hasText: 'completed' }).waitFor();
  const result = page.getByTestId('query-result');
  await result.waitFor();
  await result.getByText('3 groups released').waitFor();

  // The table: one row per released group, with both aggregates.
  const rows = page.getByTestId('query-group');
  assert.equal(await rows.count(), 3);
  const cells = await rows.evaluateAll((trs) => trs.map((tr) => tr.querySelector('td')?.textContent));
  assert.deepEqual(cells.sort(), [...MERCHANTS].sort());
  const headers = await page.getByTestId('query-table').locator('th').allTextContents();
  assert.deepEqual(headers, ['merchant', 'distinct subjects', 'mean of total_amount']);

  // One chart per aggregate, a bar per released group, each labelled and described by the summary.
  const charts = page.getByTestId('query-chart');
  assert.equal(await charts.count(), 2);
  for (const chart of await charts.all()) {
    const labels = await chart
      .locator('g[data-label]')
      .evaluateAll((gs) => gs.map((g) => g.getAttribute('data-label')));
    assert.deepEqual(labels.sort(), [...MERCHANTS].sort());
    assert.equal(await chart.locator('svg').getAttribute('aria-describedby'), 'query-result-summary');
    assert.match((await chart.locator('svg').getAttribute('aria-label')) ?? '', /per merchant/);
  }

  // The suppressed group is absent: no row, no bar, no count, no mention anywhere on the page.
  const text = (await page.locator('body').textContent()) ?? '';
  assert.ok(!text.includes(SMALL_MERCHANT), 'the suppressed group is not named');
  assert.ok(!/suppressed group[s]?:\s*\d|\d+ groups? suppressed/i.test(text), 'no count of suppressed groups');
  await shot(page, 'query-result');
  await shotOf(result, 'query-result-section');

  // On a phone the table scrolls inside its frame and the chart scales to the screen.
  await page.setViewportSize({ width: 390, height: 844 });
  const chartBox = await charts.first().locator('svg').boundingBox();
  assert.ok(chartBox && chartBox.width <= 390, `the chart fits a phone (${chartBox?.width} px)`);
  assert.deepEqual(await widerThanScreen(page), [], 'nothing on the page is wider than a phone');
  await shot(page, 'query-result-phone');
  await page.setViewportSize({ width: 1280, height: 900 });
});

test('a Train task shows its held-out accuracy per round as a curve, with a table of the same figures', {
  skip,
}, async () => {
  const request = requestOf('model_training', ['category', 'total_amount'], {
    kind: 'train',
    model: 'logistic_regression',
    features: ['total_amount'],
    label: 'category',
    positive_class: 'coffee',
    filter: [],
    hyperparameters: { rounds: ROUNDS, local_epochs: 1, learning_rate: '0.05', batch_size: 16 },
    min_vaults_per_round: 2,
    seed: 'c'.repeat(64),
    evaluation: { holdout_bps: 3000 },
  });
  const taskId = (await client.submitTask(request)).task.task_id;
  const everyRound = Array.from({ length: ROUNDS }, (_, i) => i + 1);

  // Opened while the task trains: the page records every set of points the curve shows.
  await openByKeyboard(taskId);
  await page.evaluate(RECORD_CURVE);
  const done = await watchUntil(taskId, ['awaiting_settlement', 'completed']);
  assert.equal(done.train?.rounds_completed, ROUNDS);

  // The figures the API released, per round.
  const output = (await client.getTaskResult(taskId)).output as {
    training: { rounds: { round: number; evaluation?: { value?: string } }[] };
  };
  const accuracy = output.training.rounds.map((r) => r.evaluation?.value);
  assert.equal(accuracy.length, ROUNDS);
  assert.ok(
    accuracy.every((v) => v !== undefined),
    'every round released a held-out accuracy',
  );
  // The rounds route carries the same figures, every round of them.
  const rounds = await client.getTaskRounds(taskId);
  assert.deepEqual(
    rounds.rounds.map((r) => r.round),
    everyRound,
  );
  assert.ok(rounds.rounds.every((r) => r.state === 'completed'));
  assert.deepEqual(
    rounds.rounds.map((r) => r.evaluation?.value),
    accuracy,
  );

  await page.getByRole('heading', { name: 'Training: held-out metric per round' }).waitFor();
  const chart = page.getByTestId('train-chart');
  const points = chart.locator('circle[data-round]');
  // Live, without reloading, the curve grew to a point per round, and every curve it showed on the
  // way had a point for each round up to its last: no round completed between two polls was missing.
  await points.nth(ROUNDS - 1).waitFor();
  const live = await page.evaluate<number[][]>('window.__curve');
  assert.deepEqual(live.at(-1), everyRound, 'a point per round once trained');
  for (const shown of live)
    assert.deepEqual(
      shown,
      everyRound.slice(0, shown.length),
      `the live curve showed rounds ${shown.join(',')} of ${JSON.stringify(live)}`,
    );

  // Opened after training, the first curve the page draws already has every round.
  await page.addInitScript(RECORD_CURVE);
  await page.reload();
  await chart.waitFor();
  await points.nth(ROUNDS - 1).waitFor();
  const reopened = await page.evaluate<number[][]>('window.__curve');
  assert.deepEqual(
    reopened.filter((shown) => shown.length > 0),
    [everyRound],
    `the reopened page drew ${JSON.stringify(reopened)}`,
  );
  assert.equal(await points.count(), ROUNDS, 'a point per round');
  assert.deepEqual(
    await points.evaluateAll((cs) => cs.map((c) => c.getAttribute('data-round'))),
    everyRound.map(String),
  );
  assert.equal(await chart.locator('path.chart-line').count(), 1, 'one unbroken line');
  assert.equal(await chart.locator('svg').getAttribute('aria-describedby'), 'train-curve-summary train-rounds');

  // The text alternative: the same accuracy per round, in a table.
  const table = page.getByTestId('train-rounds');
  const shown = await table
    .locator('tbody tr')
    .evaluateAll((trs) => trs.map((tr) => tr.querySelectorAll('td')[2]?.textContent));
  assert.deepEqual(
    shown,
    accuracy.map((v) => String(Math.round(Number(v) * 10_000) / 10_000)),
  );
  await page.getByText(new RegExp(`Held-out accuracy .* after round 1, .* after round ${ROUNDS}`)).waitFor();
  await shot(page, 'train-curve');
  await shotOf(page.getByTestId('train-result'), 'train-curve-section');

  await page.setViewportSize({ width: 390, height: 844 });
  const box = await chart.locator('svg').boundingBox();
  assert.ok(box && box.width <= 390, `the curve fits a phone (${box?.width} px)`);
  await page.setViewportSize({ width: 1280, height: 900 });
});
