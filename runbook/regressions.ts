/**
 * Checks for the regressions real upgrades of this era shipped, run on the serving
 * side after every switch: names in Japanese that no longer show, and shelving that
 * leaves images behind. Each is one step with an exit status and a marked result line.
 */
import { shQuote } from '../assets/shell';
import type { Phase, Step } from './types';
import { work, type Context } from './remote';
import { tenantCli, tenantCliSetup } from './canary';
import { CHECKS, stagingCli } from './staging-cli';

/** Each multibyte name shown and listed through the CLIs, compared byte for byte with what the canary made. */
export function multibyteNamesStep(ctx: Context, phase: Phase): Step {
  const names = ctx.plan.canary.multibyte;
  const cli = stagingCli(ctx);
  const tenant = tenantCli(names.project);
  const dir = work(ctx, `names-${phase}`);
  const at = (file: string) => `${dir}/${file}`;
  return {
    id: `${phase}.multibyte-names`,
    phase,
    title: 'The canary project, network, server, image and object with Japanese names show and list as made',
    where: 'operator',
    commands: [
      [
        `mkdir -p ${dir}`,
        // Projects as the admin (a member may not list them); the rest as the Japanese-named project sees it.
        `${cli} project show -f json ${shQuote(names.project)} > ${at('project-show.json')}`,
        `${cli} project list -f json > ${at('project-list.json')}`,
        ...tenantCliSetup(ctx),
        `${tenant} network show -f json ${shQuote(names.network)} > ${at('network-show.json')}`,
        `${tenant} network list -f json > ${at('network-list.json')}`,
        `${tenant} server show -f json ${shQuote(names.server)} > ${at('server-show.json')}`,
        `${tenant} server list -f json > ${at('server-list.json')}`,
        `${tenant} image show -f json ${shQuote(names.image)} > ${at('image-show.json')}`,
        `${tenant} image list -f json > ${at('image-list.json')}`,
        `${tenant} object show -f json ${shQuote(names.container)} ${shQuote(names.object)} > ${at('object-show.json')}`,
        `${tenant} object list -f json ${shQuote(names.container)} > ${at('object-list.json')}`,
        `${CHECKS} names ${dir} ${[
          `project=${names.project}`,
          `network=${names.network}`,
          `server=${names.server}`,
          `image=${names.image}`,
          `object=${names.object}`,
        ]
          .map(shQuote)
          .join(' ')}`,
      ].join('\n'),
    ],
    rollbackSafe: true,
  };
}

/** How long a shelve or an unshelve may take before the step fails (seconds). */
const SHELVE_TIMEOUT = 900;

/** Polls the server "$id" until one of the statuses; any other end state (ERROR) or the timeout fails the step. */
const waitFor = (cli: string, statuses: readonly string[]): string[] => [
  `for _ in $(seq 1 $((${SHELVE_TIMEOUT} / 10))); do`,
  `  status="$(${cli} server show -f value -c status "$id")"`,
  `  case "$status" in ${statuses.join('|')}) break ;; ERROR) echo "server $id: ERROR" >&2; exit 1 ;; esac`,
  '  sleep 10',
  'done',
  `case "$status" in ${statuses.join('|')}) ;; *) echo "server $id: still $status after ${SHELVE_TIMEOUT} s" >&2; exit 1 ;; esac`,
];

/**
 * One canary server per child cell is shelved (offloaded at once: `shelved_offload_time`
 * is 0 by default), its Glance images counted, unshelved, counted again.
 */
export function shelveStep(ctx: Context, phase: Phase): Step {
  const cli = stagingCli(ctx);
  const seed = work(ctx, 'canary-seed.json');
  const cells = ctx.plan.cells.filter((c) => c.type === 'compute');
  return {
    id: `${phase}.shelve`,
    phase,
    title: 'Shelve and unshelve a canary server in every child cell: one shelved image in Glance, then none',
    where: 'operator',
    commands: cells.map((cell) => {
      const server = ctx.plan.canary.servers.find((s) => s.cell === cell.name)!;
      const images = (when: string) => work(ctx, `shelve-${cell.name}-${phase}-${when}.json`);
      return [
        'set -e',
        `id="$(${CHECKS} server-id ${seed} ${shQuote(server.name)})"`,
        `${cli} server shelve "$id"`,
        ...waitFor(cli, ['SHELVED', 'SHELVED_OFFLOADED']),
        `${cli} image list --name ${shQuote(`${server.name}-shelved`)} -f json > ${images('shelved')}`,
        `${cli} server unshelve "$id"`,
        ...waitFor(cli, ['ACTIVE']),
        `${cli} image list --name ${shQuote(`${server.name}-shelved`)} -f json > ${images('unshelved')}`,
        `${CHECKS} shelve ${shQuote(server.name)} ${images('shelved')} ${images('unshelved')}`,
      ].join('\n');
    }),
    rollbackSafe: true,
  };
}
