/**
 * Cells v1 linking per side: the API cell registers every child cell's broker,
 * each child cell registers the API cell's broker as its parent. Rendered two
 * ways: a `nova-manage cell create` script (what operators of that era ran) and
 * the equivalent `cells_config` JSON files. Nova reads a cells_config file from
 * the point of view of one cell (parents and children of that cell), so there is
 * one file per cell and side. The broker password is a placeholder.
 */
import { RELEASES, type Release } from '../profile/schema';
import type { CellPlan, Side, StagingPlan } from '../plan/types';
import { apiCell, cellEndpoints, firstAddress, RABBIT_PORT } from './endpoints';
import { placeholder, SECRETS_FILE } from './secrets';
import { shFunction } from './shell';

/** Broker user of every cell, as in the Nova configuration. */
export const CELL_BROKER_USER = 'nova';
/** Weights nova-manage gives by default; production's are not in the profile. */
const WEIGHT = { offset: 1.0, scale: 1.0 };

export interface CellLink {
  /** Cell that runs the registration (its nova-manage writes to its own database). */
  readonly in: string;
  /** Cell registered, and as what. */
  readonly name: string;
  readonly type: 'parent' | 'child';
  /** Broker of the registered cell: the first writes into nova-manage, all into the transport URL. */
  readonly brokers: readonly string[];
}

/** Every registration of one side: the API cell's children, then each child's parent. */
export function cellLinks(plan: StagingPlan, side: Side): CellLink[] {
  const api = apiCell(plan);
  const children = plan.cells.filter((c) => c.type === 'compute');
  const brokersOf = (cell: CellPlan) => cellEndpoints(plan, cell, side).brokers;
  return [
    ...children.map((child) => ({ in: api.name, name: child.name, type: 'child' as const, brokers: brokersOf(child) })),
    ...children.map((child) => ({ in: child.name, name: api.name, type: 'parent' as const, brokers: brokersOf(api) })),
  ];
}

/**
 * Every broker of a cell from Kilo on (`--broker_hosts`, nova/cmd/manage.py 2015.1.0 and
 * 12.0.0); Icehouse's `cell create` (2014.1) takes one `--hostname` only.
 */
const brokerArgs = (link: CellLink, release: Release): string[] =>
  RELEASES.indexOf(release) >= RELEASES.indexOf('kilo') && link.brokers.length > 1
    ? [`--broker_hosts=${link.brokers.map((b) => `${b}:${RABBIT_PORT}`).join(',')}`]
    : [`--hostname=${link.brokers[0]}`, `--port=${RABBIT_PORT}`];

export const createCommand = (link: CellLink, release: Release): string =>
  [
    'run nova-manage cell create',
    `--name=${link.name}`,
    `--cell_type=${link.type}`,
    `--username=${CELL_BROKER_USER}`,
    '--password="$rabbit_password"',
    ...brokerArgs(link, release),
    '--virtual_host=/',
    `--woffset=${WEIGHT.offset.toFixed(1)}`,
    `--wscale=${WEIGHT.scale.toFixed(1)}`,
  ].join(' ');

/** The linking script of one side; run it in each cell with that cell's name. */
export function linkCellsScript(plan: StagingPlan, side: Side): string {
  const links = cellLinks(plan, side);
  const release = plan.sides.find((s) => s.name === side)!.release;
  const cells = plan.cells.map((c) => c.name);
  const branch = (cell: string) => [
    `  ${cell})`,
    ...links.filter((l) => l.in === cell).map((l) => `    ${createCommand(l, release)}`),
    '    ;;',
  ];
  return [
    '#!/bin/bash',
    `# Links the Nova cells (v1) of the ${side} side of ${plan.rehearsalId}.`,
    `# Run it on a node of each cell with that cell's name: on a nova-api node with '${apiCell(plan).name}'`,
    '# (registers every child cell), on a cell-services node of each child with its name (registers the parent).',
    `# The broker password is read at run time from ${SECRETS_FILE}; --print shows the commands without it.`,
    '#',
    `# usage: ${side}-link-cells.sh [--print] CELL     CELL: ${cells.join(' | ')}`,
    'set -euo pipefail',
    '',
    ...shFunction('usage', 'One line of help.', [`echo "usage: $0 [--print] CELL   (CELL: ${cells.join(' | ')})"`]),
    ...shFunction('run', 'Runs a command, or prints it with --print.', ['if [ "$print" = yes ]; then echo "$*"; else "$@"; fi']),
    'print=no',
    'if [ "$#" -gt 0 ] && [ "$1" = --print ]; then print=yes; shift; fi',
    '[ "$#" -eq 1 ] || { usage >&2; exit 2; }',
    'if [ "$print" = yes ]; then',
    `  rabbit_password='${placeholder('RABBIT_PASSWORD')}'`,
    'else',
    `  rabbit_password=$(awk -F= '$1 == "RABBIT_PASSWORD" { print $2 }' ${SECRETS_FILE})`,
    '  [ -n "$rabbit_password" ] || { echo "no RABBIT_PASSWORD in ' + SECRETS_FILE + '" >&2; exit 1; }',
    'fi',
    '',
    'case "$1" in',
    ...cells.flatMap(branch),
    '  *)',
    '    usage >&2',
    '    exit 2',
    '    ;;',
    'esac',
    '',
  ].join('\n');
}

/** nova cells v1 `cells_config` entry. */
export interface CellsConfigEntry {
  readonly name: string;
  readonly api_url?: string;
  readonly transport_url: string;
  readonly weight_offset: number;
  readonly weight_scale: number;
  readonly is_parent: boolean;
}

const transportUrl = (brokers: readonly string[]): string =>
  `rabbit://${brokers.map((ip) => `${CELL_BROKER_USER}:${placeholder('RABBIT_PASSWORD')}@${ip}:${RABBIT_PORT}`).join(',')}/`;

/** The `cells_config` file of each cell on one side, keyed by cell name. */
export function cellsConfigs(plan: StagingPlan, side: Side): Record<string, Record<string, CellsConfigEntry>> {
  const port = plan.apis.find((a) => a.name === 'nova')?.port ?? 8774;
  const novaApi = `http://${firstAddress(plan, 'nova-api', side)}:${port}/`;
  const out: Record<string, Record<string, CellsConfigEntry>> = {};
  for (const link of cellLinks(plan, side)) {
    out[link.in] ??= {};
    out[link.in][link.name] = {
      name: link.name,
      ...(link.type === 'parent' ? { api_url: novaApi } : {}),
      transport_url: transportUrl(link.brokers),
      weight_offset: WEIGHT.offset,
      weight_scale: WEIGHT.scale,
      is_parent: link.type === 'parent',
    };
  }
  return out;
}
