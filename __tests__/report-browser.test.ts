/**
 * The report page in a real browser: Debian's Chromium, headless, with a fresh
 * profile (report/browser.ts). The page loads from a file with no console
 * error and no request, and its screenshot is taken; pages that do log an
 * error or fetch something show that the watch sees both.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadProfile, REFERENCE_PROFILE } from '../profile/load';
import { buildPlan, oneToOneCost } from '../plan/plan';
import { chromiumPath, visitPage } from '../report/browser';
import { reportModel } from '../report/model';
import { priceList } from '../targets/facts';
import { loadRehearsal } from '../report/rehearsal-log';
import { renderReport } from '../report/render';
import { defaultTargetFile, loadTarget } from '../targets/config';

jest.setTimeout(120_000);

const FIXTURES = join(__dirname, 'fixtures', 'rehearsals');
const scratch = mkdtempSync(join(tmpdir(), 'staging-report-browser-'));

test('Chromium is there (Debian’s chromium; .ci/run installs it)', () => {
  expect(chromiumPath()).toBeTruthy();
});

test('the report of two rehearsals loads from a file with no console error and no request, and is screenshot', async () => {
  const profile = loadProfile(REFERENCE_PROFILE);
  const target = loadTarget(defaultTargetFile('aws'));
  const plan = buildPlan(profile, target);
  const rehearsals = [1, 2].map((n) => loadRehearsal(join(FIXTURES, `rehearsal-${n}`), `rehearsal ${n}`));
  const page = join(scratch, 'index.html');
  writeFileSync(
    page,
    renderReport(reportModel({ plan, profile, oneToOne: oneToOneCost(profile, target), prices: priceList(target), rehearsals }), plan)[
      'index.html'
    ],
  );
  const shot = join(scratch, 'report.png');
  const visit = await visitPage(page, shot);
  expect(visit.consoleErrors).toEqual([]);
  expect(visit.pageErrors).toEqual([]);
  expect(visit.requests).toEqual([]);
  // The whole report is long: fidelity, cost, topology, every rehearsal and the chart.
  expect(visit.height).toBeGreaterThan(5000);
  const png = readFileSync(shot);
  expect(png.subarray(1, 4).toString()).toBe('PNG');
  expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([1280, 900]);
});

test('the watch sees a console error and a request a page makes', async () => {
  const page = join(scratch, 'noisy.html');
  // Loopback only, on a port nothing listens on: the request is made and fails.
  writeFileSync(
    page,
    '<!DOCTYPE html><html><body><img src="http://127.0.0.1:9/x.png"><script>console.error("boom")</script></body></html>',
  );
  const visit = await visitPage(page);
  expect(visit.consoleErrors).toEqual(expect.arrayContaining(['boom']));
  expect(visit.requests).toEqual(['http://127.0.0.1:9/x.png']);
});
