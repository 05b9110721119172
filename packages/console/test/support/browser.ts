/**
 * Headless Chromium (Debian's package, driven by playwright-core) for the console's end-to-end
 * tests: launch with a throwaway profile, sign in with an actor's key file, save screenshots.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunningNetwork } from '@symphony/sdk/testing';
import { chromium, type Locator, type Page } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';

/** Skipped only outside CI when Chromium is missing; in CI (.ci/run installs it) a missing browser fails. */
export const skipWithoutChromium =
  existsSync(CHROMIUM) || process.env.CI ? false : `${CHROMIUM} is missing: apt-get install -y chromium (.ci/run does)`;

/** Screenshots of the main views; the README shows a few of them (copied to docs/). */
export const SCREENSHOTS = join(import.meta.dirname, '..', 'screenshots');

export type Browser = { page: Page; close(): Promise<void> };

export async function openBrowser(): Promise<Browser> {
  const profile = mkdtempSync(join(tmpdir(), 'console-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1280, height: 900 },
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  context.setDefaultTimeout(60_000); // CI runs other tests beside these on two cores
  const page = context.pages()[0] ?? (await context.newPage());
  return {
    page,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

export async function shot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

export async function signIn(page: Page, network: RunningNetwork, actor: string): Promise<void> {
  await page.goto(`${network.url}/console/`);
  await page.locator('#key-file').setInputFiles(network.keyFile(actor));
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByTestId('signed-in-as').filter({ hasText: actor }).waitFor();
}

/** A screenshot of one part of a page (what the README shows). */
export async function shotOf(part: Locator, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await part.screenshot({ path: join(SCREENSHOTS, `${name}.png`) });
}
