/**
 * Opens a report page in a headless Chromium (Debian's `chromium`, driven with
 * puppeteer-core over the DevTools protocol) and says what a reader's browser
 * would: console errors, failed loads, every request that left the file, and
 * a screenshot of the whole page.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

export interface PageVisit {
  readonly consoleErrors: readonly string[];
  /** Every request the page made, the page itself excluded. */
  readonly requests: readonly string[];
  readonly pageErrors: readonly string[];
  /** Height of the page in CSS pixels. */
  readonly height: number;
}

/** The browser: STAGING_CHROMIUM, else the first of Debian's and Google's names on the PATH. */
export function chromiumPath(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.STAGING_CHROMIUM) return env.STAGING_CHROMIUM;
  for (const name of ['chromium', 'chromium-browser', 'google-chrome']) {
    try {
      return execFileSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).trim() || undefined;
    } catch {
      // not this one
    }
  }
  return undefined;
}

/** The flags of a quiet, isolated headless run: nothing of the profile, no background traffic. */
const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export async function visitPage(file: string, screenshot?: string, executablePath = chromiumPath()): Promise<PageVisit> {
  if (!executablePath) throw new Error('no Chromium found: install Debian’s chromium or set STAGING_CHROMIUM');
  // puppeteer-core is a development dependency: loaded only when a page is visited.
  const puppeteer = (await import('puppeteer-core')).default;
  const profile = mkdtempSync(join(tmpdir(), 'staging-chromium-'));
  const browser = await puppeteer.launch({ executablePath, headless: true, args: [...FLAGS, `--user-data-dir=${profile}`] });
  try {
    const page = await browser.newPage();
    const consoleErrors: string[] = [];
    const pageErrors: string[] = [];
    const requests: string[] = [];
    const url = pathToFileURL(file).href;
    page.on('console', (m) => {
      if (m.type() === 'error') consoleErrors.push(m.text());
    });
    page.on('pageerror', (e) => pageErrors.push(String(e)));
    page.on('request', (r) => {
      if (r.url() !== url) requests.push(r.url());
    });
    page.on('requestfailed', (r) => consoleErrors.push(`failed: ${r.url()}`));
    await page.setViewport({ width: 1280, height: 900 });
    await page.goto(url, { waitUntil: 'load' });
    // A string: this project's types hold no DOM.
    const height = Number(await page.evaluate('document.documentElement.scrollHeight'));
    if (screenshot) await page.screenshot({ path: screenshot as `${string}.png`, fullPage: false });
    return { consoleErrors, requests, pageErrors, height };
  } finally {
    await browser.close();
    rmSync(profile, { recursive: true, force: true });
  }
}
