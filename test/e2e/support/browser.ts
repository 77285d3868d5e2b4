/**
 * Headless Chromium for the browser tests: Debian's /usr/bin/chromium (never a
 * downloaded browser) driven by playwright-core, a fresh profile per launch, and
 * screenshots of each step kept under test-artifacts/browser/ (gitignored).
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { REPO_ROOT } from '../../faults/support/instance';

export const CHROMIUM = '/usr/bin/chromium';
export const ARTIFACTS = join(REPO_ROOT, 'test-artifacts', 'browser');

export interface Browser {
  page: Page;
  /** The page's errors so far (uncaught exceptions, console errors such as a failed resource load). */
  errors: string[];
  /** Saves a full-page screenshot as test-artifacts/browser/<name>.png; returns its path. */
  shot(name: string): Promise<string>;
  close(): Promise<void>;
}

export async function openBrowser(): Promise<Browser> {
  const profile = mkdtempSync(join(tmpdir(), 'tidemark-chromium-'));
  mkdirSync(ARTIFACTS, { recursive: true });
  // Playwright takes the profile directory as userDataDir (it refuses --user-data-dir in args).
  const context: BrowserContext = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
    ],
    viewport: { width: 1400, height: 900 },
  });
  const page = context.pages()[0] ?? (await context.newPage());
  // The page's own errors belong in the test's output, and a clean page load is asserted on.
  const errors: string[] = [];
  page.on('pageerror', (err) => {
    errors.push(err.message);
    console.error(`[browser] ${err.message}`);
  });
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
    if (m.type() === 'error' || m.type() === 'warning') console.error(`[browser ${m.type()}] ${m.text()}`);
  });
  return {
    page,
    errors,
    shot: async (name) => {
      const path = join(ARTIFACTS, `${name}.png`);
      await page.screenshot({ path });
      return path;
    },
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
