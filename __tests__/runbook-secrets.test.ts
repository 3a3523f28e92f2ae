/**
 * The runbook's printed commands hold no secret: every password is read where it
 * is used (the node's secret file, the cloud's secret store), never written into
 * a step. Checked over every step of every test shape on both clouds, and over
 * what `npm run rehearse` prints.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import type { CloudName } from '../targets/config';
import { stepsOf } from './support/runbook';
import { secretLiterals } from './support/secrets';
import { planShape, SHAPES } from './support/shapes';

jest.setTimeout(60_000);

const text = (steps: ReturnType<typeof stepsOf>): string =>
  steps.map((s) => [s.title, ...s.commands, ...(s.checks ?? [])].join('\n')).join('\n');

describe.each<CloudName>(['aws', 'openstack'])('on %s', (cloud) => {
  test.each(Object.keys(SHAPES))('no step of the %s shape holds a secret-looking literal', (shape) => {
    const steps = stepsOf(planShape(shape, cloud).plan, cloud);
    expect(steps.length).toBeGreaterThan(100);
    expect(secretLiterals(text(steps))).toEqual([]);
  });

  test('nor does the dry run as printed', () => {
    const r = spawnSync(process.execPath, ['-r', './bin/register.js', 'bin/rehearse.ts', '--target', cloud], {
      cwd: join(__dirname, '..'),
      encoding: 'utf8',
    });
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('teardown.destroy');
    expect(secretLiterals(r.stdout + r.stderr)).toEqual([]);
  });
});

test('the scan sees a password written into a command (it can fail)', () => {
  expect(secretLiterals('mysql -u nova --password=hunter2 nova < dump.sql')).toEqual(['password=hunter2']);
  expect(
    secretLiterals('mysql -u nova --password="$(cat /root/.staging/NOVA_DB_PASSWORD)" mysql://nova:$NOVA_DB_PASSWORD@db/nova'),
  ).toEqual([]);
  expect(secretLiterals('connection=mysql://nova:s3cret@db/nova')).toHaveLength(1);
});
