/**
 * The console in headless Chromium (Debian's package, driven by playwright-core) against
 * `symphony up`: sign in with a key file, watch a task reach `completed` without reloading, open
 * its settlement and see the inclusion proof verified in the browser, see the result chart; then
 * sign in as another submitter and see none of those tasks and no Vault internals. Screenshots of
 * the main views go to test/screenshots/ (gitignored).
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { SubmitTaskRequest } from '@symphony/api';
import { SymphonyApiError, SymphonyClient } from '@symphony/sdk';
import { signerFromKeyFile } from '@symphony/sdk/node';
import { type RunningNetwork, symphonyUp } from '@symphony/sdk/testing';
import type { Page } from 'playwright-core';
import {
  type Browser,
  openBrowser,
  shot as save,
  signIn as signInAs,
  skipWithoutChromium as skip,
} from './support/browser.ts';

let network: RunningNetwork;
let browser: Browser;
let page: Page;
let operator: SymphonyClient;
let alice: SymphonyClient;
let bob: SymphonyClient;
let taskId = '';
let aliceTaskId = '';
let vaultId = '';

const shot = (name: string) => save(page, name);
const signIn = (actor: string) => signInAs(page, network, actor);

before(async () => {
  if (skip) return;
  network = await symphonyUp({ actors: ['act_alice', 'act_bob'] });
  operator = new SymphonyClient({ baseUrl: network.url, signer: signerFromKeyFile(network.keyFile('act_local')) });
  alice = new SymphonyClient({ baseUrl: network.url, signer: signerFromKeyFile(network.keyFile('act_alice')) });
  bob = new SymphonyClient({ baseUrl: network.url, signer: signerFromKeyFile(network.keyFile('act_bob')) });
  browser = await openBrowser();
  page = browser.page;
});

after(async () => {
  await browser?.close();
  await network?.stop();
});

const histogram = (submitter: string): SubmitTaskRequest => ({
  class: 'compute',
  submitter,
  consent_scope: 'analytics',
  targets: { vault_ids: [vaultId] },
  semantic: { domain: 'commerce.receipt', semantic_version: '1.0.0', attributes: ['total_amount'] },
  budget: { max_fee: '100000' },
  spec: {
    kind: 'compute',
    program: { type: 'builtin', operator: 'histogram', attribute: 'total_amount', bin_edges: ['0', '5', '10', '25'] },
    filter: [],
  },
});

test('sign in, watch a task reach completed, verify its settlement proof in the browser, see its chart', {
  skip,
}, async () => {
  await signIn('act_local');
  await page.getByRole('heading', { name: 'Network' }).waitFor();
  await page.locator('tbody tr').first().waitFor();
  await shot('network');

  // Data and a task, over the API (what `npm run demo` does at scale).
  const net = await operator.getNetwork();
  vaultId = net.enterprise_nodes[0]!.vault_ids[0]!;
  const records = Array.from({ length: 90 }, (_, i) => ({
    subject: `act_e2e-subject-${String(i % 30).padStart(2, '0')}`,
    fields: {
      merchant: `Kopi ${i % 5}`,
      category: 'coffee',
      city: 'Singapore',
      total_amount: `${2 + (i % 19)}.50`,
      purchased_at: `2026-10-${String(1 + (i % 28)).padStart(2, '0')}T09:00:00Z`,
    },
  }));
  await operator.ingestRecords(vaultId, { records });
  const subjects = [...new Set(records.map((r) => r.subject))];
  await operator.grantConsents(
    subjects.map((subject) => ({
      vault_id: vaultId,
      subject,
      scope: 'analytics',
      expires_at_ms: Date.UTC(2100, 0, 1),
    })),
  );
  taskId = (await operator.submitTask(histogram('act_local'))).task.task_id;
  aliceTaskId = (await alice.submitTask(histogram('act_alice'))).task.task_id;

  // The task list shows it live (no reload).
  await page.getByRole('link', { name: 'Tasks' }).click();
  await page.getByRole('link', { name: taskId }).waitFor();
  await page.getByRole('link', { name: taskId }).click();
  await page.getByText('awaiting settlement').first().waitFor({ timeout: 120_000 });
  await page.getByTestId('result-chart').waitFor();

  // Close the epoch (governance) and watch the page move the task to completed by itself.
  const { closed_epoch } = await operator.closeCurrentEpoch();
  await page.locator('h1 .badge', { hasText: 'completed' }).waitFor({ timeout: 120_000 });
  await page
    .getByText(/completed/)
    .first()
    .waitFor();
  await shot('task-detail');

  await page.getByRole('link', { name: `epoch ${closed_epoch}: settlement and proof` }).click();
  await page.locator('h1 .badge', { hasText: 'finalized' }).waitFor({ timeout: 60_000 });
  await page
    .getByRole('row', { name: new RegExp(taskId) })
    .getByRole('button', { name: 'Verify proof' })
    .click();
  // Wait for the check to finish, then name its verdict (a rejection or an error shows its reason).
  const status = page.getByTestId('proof-status');
  await status.filter({ hasNotText: 'fetching the proof' }).waitFor({ timeout: 120_000 });
  assert.match((await status.textContent()) ?? '', /Proof verified in your browser/);
  await shot('settlement');

  await page.getByRole('link', { name: 'Tasks' }).click();
  await page.getByRole('link', { name: aliceTaskId }).waitFor();
  await shot('tasks');
  await page.keyboard.press('g');
  await page.keyboard.press('r');
  await page.getByRole('heading', { name: 'Rewards and payouts' }).waitFor();
  await page.getByText('✓ matches the signed root').first().waitFor();
  await shot('rewards');
  await page.setViewportSize({ width: 390, height: 844 });
  await page.getByRole('link', { name: 'Tasks' }).click();
  await page.getByRole('link', { name: taskId }).waitFor();
  await shot('tasks-phone');
  await page.setViewportSize({ width: 1280, height: 900 });
});

test("a submitter sees neither another submitter's tasks nor Vault internals", { skip }, async () => {
  assert.ok(taskId && aliceTaskId, 'needs the tasks of the first test');
  await page.getByRole('button', { name: 'Sign out' }).click();
  await signIn('act_bob');
  await page.getByRole('link', { name: 'Tasks' }).click();
  await page.getByText('No tasks you may see yet').waitFor();
  assert.equal(await page.getByTestId('task-row').count(), 0);

  await page.goto(`${network.url}/console/#/tasks/${aliceTaskId}`);
  await page.getByText('belongs to another actor').waitFor();
  await shot('other-submitters-task');

  // Settlement entries and rewards are public accounting (pseudonymous contributor accounts, by the
  // protocol's design); every other view shows bob nothing of other actors' tasks or data subjects.
  for (const view of ['network', 'tasks', 'challenges']) {
    await page.goto(`${network.url}/console/#/${view}`);
    await page.locator('main h1').first().waitFor();
    await page.locator('main .muted', { hasText: 'Loading' }).waitFor({ state: 'detached' });
    const text = (await page.locator('body').textContent()) ?? '';
    assert.ok(!text.includes('act_e2e-subject'), `${view} shows no data subject`);
    assert.ok(!text.includes(aliceTaskId) && !text.includes(taskId), `${view} shows no task of another submitter`);
  }
  // The server refuses Vault internals and consents to a plain submitter (the console only shows what it gets).
  await assert.rejects(bob.listVaults(), (e: unknown) => e instanceof SymphonyApiError && e.code === 'forbidden');
  await assert.rejects(bob.getVault(vaultId), (e: unknown) => e instanceof SymphonyApiError && e.code === 'forbidden');
  await assert.rejects(bob.listConsents(), (e: unknown) => e instanceof SymphonyApiError && e.code === 'forbidden');
  await assert.rejects(
    bob.getTaskResult(aliceTaskId),
    (e: unknown) => e instanceof SymphonyApiError && e.code === 'not_found',
  );
  assert.equal((await bob.listTasks()).tasks.length, 0);
  assert.ok((await alice.listTasks()).tasks.every((t) => t.submitter === 'act_alice'));
});
