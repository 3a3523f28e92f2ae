/**
 * The dumps' copy into the OpenStack container (runbook/dumps.ts): the step's own command,
 * run by bash with stand-ins of ssh (the toolbox's tar) and the openstack CLI (a folder as
 * the container), stores the archive as parts Swift accepts with the stream's SHA-256, and
 * leaves no production data on the operator machine.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash, randomBytes } from 'node:crypto';
import { planShape } from './support/shapes';
import { stepsOf } from './support/runbook';

const { plan } = planShape('reference', 'openstack');
const step = stepsOf(plan, 'openstack').find((s) => s.id === 'upgrade-1.dump-upload')!;

function run(partSize: string) {
  const dir = mkdtempSync(join(tmpdir(), 'dump-upload-'));
  const bin = join(dir, 'bin');
  const toolbox = join(dir, 'toolbox');
  const store = join(dir, 'container');
  const tmp = join(dir, 'tmp');
  for (const d of [bin, join(toolbox, 'upgrade-1'), store, tmp]) mkdirSync(d, { recursive: true });
  // Incompressible dumps, several parts' worth.
  writeFileSync(join(toolbox, 'upgrade-1', 'nova-cell01.sql.gz'), randomBytes(5000));
  writeFileSync(join(toolbox, 'upgrade-1', 'keystone.sql.gz'), randomBytes(1200));
  const stub = (name: string, body: string) => {
    writeFileSync(join(bin, name), `#!/bin/bash\n${body}\n`);
    chmodSync(join(bin, name), 0o755);
  };
  // The toolbox's side: whatever ssh is asked, it runs the tar of the test's dumps folder, as the step asks it to.
  stub('ssh', `for a in "$@"; do [ "$a" = tar ] && break; shift; done; shift; [ "$1" = -C ] && shift 2; tar -C ${toolbox} "$@"`);
  // openstack object create --name NAME CONTAINER FILE; openstack object list --prefix P -f value -c Name CONTAINER.
  stub(
    'openstack',
    [
      'while [ "$1" != object ]; do shift; done; shift',
      'case "$1" in',
      `  create) shift; [ "$1" = --name ] || exit 2; mkdir -p "${store}/$(dirname "$2")"; cp "$4" "${store}/$2" ;;`,
      `  list) prefix="$3"; (cd ${store} && find . -type f | sed 's|^./||' | grep "^$prefix" | sort) ;;`,
      '  *) exit 2 ;;',
      'esac',
    ].join('\n'),
  );
  const result = spawnSync('bash', ['-c', step.commands.join('\n')], {
    encoding: 'utf8',
    env: { PATH: `${bin}:/usr/bin:/bin`, HOME: dir, TMPDIR: tmp, DUMP_PART_SIZE: partSize },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stream = spawnSync('tar', ['-C', toolbox, '-cf', '-', 'upgrade-1']).stdout;
  return { dir, store, tmp, result, stream };
}

test('the archive goes up in numbered parts with its SHA-256, and nothing of it stays on the operator machine', () => {
  const { dir, store, tmp, result, stream } = run('2K');
  try {
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const names = readdirSync(join(store, 'upgrade-1')).sort();
    const parts = names.filter((n) => /^dumps\.tar\.\d{3}$/.test(n));
    expect(parts.length).toBeGreaterThanOrEqual(4);
    expect(names).toEqual([...parts, 'dumps.tar.sha256']);
    const joined = Buffer.concat(parts.map((p) => readFileSync(join(store, 'upgrade-1', p))));
    // tar's stream is byte-for-byte the same for the same files (same names, sizes, times).
    expect(joined.equals(stream)).toBe(true);
    expect(readFileSync(join(store, 'upgrade-1', 'dumps.tar.sha256'), 'utf8').trim()).toBe(
      createHash('sha256').update(joined).digest('hex'),
    );
    expect(result.stdout).toContain(`${parts.length} part(s), SHA-256 ${createHash('sha256').update(joined).digest('hex')}`);
    expect(readdirSync(tmp)).toEqual([]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a part Swift's 5 GiB limit would refuse is never made: the default part is 1 GiB", () => {
  expect(step.commands.join('\n')).toContain('split -b "${DUMP_PART_SIZE:-1G}"');
});
