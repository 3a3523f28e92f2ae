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
  // The toolbox holds no credentials of the cloud it runs on: the operator carries the dumps over.
  'object-container-by-operator': (ctx, round) => {
    const tar = work(ctx, `dumps-${round}.tar`);
    const container = factsOf(ctx.plan.cloud).bucketName(ctx.plan.rehearsalId, 'dumps');
    return [
      `${SSH} ${ctx.options.sshUser}@${addressOfToolbox(ctx)} sudo tar -C ${DUMPS_DIR} -cf - ${round} > ${tar}`,
      `openstack --os-cloud ${ctx.options.targetCloud ?? 'TARGET-CLOUD'} object create --name ${round}.tar ${container} ${tar}`,
    ];
  },
};

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
