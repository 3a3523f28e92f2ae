/**
 * Backups of procedure step 4: a consistent `mysqldump` of every database of the
 * old side, taken by the migration toolbox once every OpenStack service is
 * stopped, kept on its dumps volume (the restore reads them there) and copied
 * to the rehearsal's dumps bucket, the backup a real rollback would restore.
 */
import { DUMPS_DIR } from '../assets/devices';
import { SECRETS_FILE } from '../assets/secrets';
import type { DumpsStore } from '../targets/cloud-facts';
import { factsOf } from '../targets/facts';
import { databaseTargets, type DatabaseTarget } from './databases';
import { onNode, SSH, work, type Context } from './remote';
import type { Phase, Step } from './types';

export const TOOLBOX = 'migration-toolbox';
export { DUMPS_DIR };

export const dumpFile = (round: string, db: DatabaseTarget): string => `${DUMPS_DIR}/${round}/${db.key}.sql.gz`;

/** `MYSQL_PWD` keeps the password out of the process list. */
export const mysqlAs = (db: DatabaseTarget, side: 'old' | 'new', tool = 'mysql'): string =>
  `MYSQL_PWD="$${db.passwordSecret}" ${tool} -h ${db.address[side]} -u ${db.name}`;

/** Operator step (S3): find the dumps bucket's drawn name once the foundation exists. */
function locateDumpsBucket(ctx: Context, phase: Phase): Step {
  // The bucket's name is drawn at deploy time from the foundation's prefix.
  const prefix = factsOf(ctx.plan.cloud).bucketName(ctx.plan.rehearsalId, 'dumps');
  return {
    id: 'deploy.dumps-bucket',
    phase,
    title: 'Record the name of the dumps bucket',
    where: 'operator',
    commands: [
      `aws s3api list-buckets --region ${ctx.plan.region} --query "Buckets[?starts_with(Name, '${prefix}')].Name | [0]" --output text > ${work(ctx, 'dumps-bucket')}`,
    ],
    checks: [`${ctx.options.workDir}/dumps-bucket names one bucket`],
    rollbackSafe: true,
  };
}

/** Steps of the first deploy that a dumps store needs. */
export const DUMPS_STORE_STEPS: Record<DumpsStore, (ctx: Context, phase: Phase) => Step[]> = {
  's3-bucket': (ctx, phase) => [locateDumpsBucket(ctx, phase)],
  'object-container-by-operator': () => [],
};

const UPLOAD: Record<DumpsStore, (ctx: Context, round: string) => string[]> = {
  's3-bucket': (ctx, round) => [
    onNode(
      ctx,
      TOOLBOX,
      [`aws s3 cp --recursive --only-show-errors ${DUMPS_DIR}/${round}/ "s3://$1/${round}/" --region ${ctx.plan.region}`],
      [`"$(cat ${work(ctx, 'dumps-bucket')})"`],
    ),
  ],
  // The toolbox holds no credentials of the cloud it runs on: the operator carries the dumps over, streamed.
  'object-container-by-operator': (ctx, round) => containerUpload(ctx, round),
};

/**
 * Part size of the dumps archive in a container: Swift refuses an object over 5 GiB (the proxy's
 * `max_file_size`, swift/common/constraints.py: 5 GiB + 2 bytes), and one round's gzipped dumps are
 * bigger on a cloud of this size, so the archive is stored as numbered parts with its SHA-256.
 */
export const DUMP_PART_SIZE = '1G';

/**
 * The OpenStack upload: the toolbox's tar streamed through the operator machine into numbered
 * parts (`<round>/dumps.tar.000`…) and the stream's SHA-256 (`<round>/dumps.tar.sha256`). At most
 * one part is on the operator's disk at a time, in a private folder, deleted once uploaded:
 * production data is not left on the operator machine. Needs GNU split (`--filter`).
 */
function containerUpload(ctx: Context, round: string): string[] {
  const container = factsOf(ctx.plan.cloud).bucketName(ctx.plan.rehearsalId, 'dumps');
  const cloud = `openstack --os-cloud ${ctx.options.targetCloud ?? 'TARGET-CLOUD'}`;
  return [
    [
      'set -euo pipefail',
      'parts="$(mktemp -d)"; chmod 700 "$parts"; trap \'rm -rf "$parts"\' EXIT',
      // split's filter is its own shell: $FILE and $PARTS expand there, not here.
      '# shellcheck disable=SC2016',
      `${SSH} ${ctx.options.sshUser}@${addressOfToolbox(ctx)} sudo tar -C ${DUMPS_DIR} -cf - ${round} \\`,
      '  | tee >(sha256sum | cut -d" " -f1 > "$parts/sha256") \\',
      `  | PARTS="$parts" split -b "\${DUMP_PART_SIZE:-${DUMP_PART_SIZE}}" -d -a 3 --filter '`,
      `cat > "$PARTS/part" && ${cloud} object create --name "${round}/$FILE" ${container} "$PARTS/part" >/dev/null && rm -f "$PARTS/part"' - dumps.tar.`,
      // tee's process substitution may finish after the pipeline: wait for its sum.
      'for _ in $(seq 50); do [ -s "$parts/sha256" ] && break; sleep 0.2; done',
      '[ -s "$parts/sha256" ] || { echo "no checksum of the dumps archive" >&2; exit 1; }',
      `${cloud} object create --name ${round}/dumps.tar.sha256 ${container} "$parts/sha256" >/dev/null`,
      `echo "dumps of ${round} in container ${container}: $(${cloud} object list --prefix ${round}/dumps.tar. -f value -c Name ${container} | grep -c '[.][0-9][0-9][0-9]$') part(s), SHA-256 $(cat "$parts/sha256")"`,
    ].join('\n'),
  ];
}

const upload = (ctx: Context, round: string): string[] => UPLOAD[factsOf(ctx.plan.cloud).dumpsStore](ctx, round);

const addressOfToolbox = (ctx: Context): string => ctx.plan.nodes.find((n) => n.name === TOOLBOX)!.addresses.management!;

/** Dumps every database of the old side, then copies them to the bucket. Reads the old side only. */
export function dumpSteps(ctx: Context, phase: Phase, round: string): Step[] {
  const dbs = databaseTargets(ctx.plan);
  const dump = onNode(ctx, TOOLBOX, [
    `. ${SECRETS_FILE}`,
    `mkdir -p ${DUMPS_DIR}/${round}`,
    ...dbs.map(
      (db) => `${mysqlAs(db, 'old', 'mysqldump')} --single-transaction --routines --triggers ${db.name} | gzip > ${dumpFile(round, db)}`,
    ),
    `ls -l ${DUMPS_DIR}/${round}`,
  ]);
  return [
    {
      id: `${round}.dump`,
      phase,
      title: `Dump all ${dbs.length} databases of the old side (API-level and every cell)`,
      where: TOOLBOX,
      commands: [dump],
      checks: dbs.map((db) => dumpFile(round, db)),
      rollbackSafe: true,
    },
    {
      id: `${round}.dump-upload`,
      phase,
      title: 'Copy the dumps to the dumps bucket',
      where: TOOLBOX,
      commands: upload(ctx, round),
      rollbackSafe: true,
    },
  ];
}
