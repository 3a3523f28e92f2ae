/**
 * Every asset of a plan as files, for review (`npm run assets`) and for the
 * stacks: one cloud-init document per node (plus its bucket objects when over
 * the user-data limit) and per hypervisor host (with the files it fetches), and per side the ring script, the cells linking script
 * and the cells_config file of each cell.
 */
import type { HostPlan, StagingPlan } from '../plan/types';
import { cellsConfigs, linkCellsScript } from './cells';
import { buildRingsScript } from './rings';
import { createSecretsScript } from './secrets-script';
import { userDataParts, type PartsOptions, type UserDataParts } from './user-data-limit';

export interface RenderedAsset {
  /** Relative to the output directory. */
  readonly path: string;
  readonly content: string;
  readonly mode: number;
}

function nodeAssets(plan: StagingPlan, options: PartsOptions): RenderedAsset[] {
  return plan.nodes.flatMap((node) => {
    const parts = userDataParts(plan, node, options);
    return [
      { path: `nodes/${node.name}.cloud-init.yaml`, content: parts.inline, mode: 0o644 },
      ...parts.bucketObjects.map((o) => ({ path: `bucket/${o.key}`, content: o.content, mode: 0o600 })),
    ];
  });
}

function sideAssets(plan: StagingPlan): RenderedAsset[] {
  return plan.sides.flatMap(({ name: side }) => [
    { path: `rings/${side}-build-rings.sh`, content: buildRingsScript(plan, side), mode: 0o755 },
    { path: `cells/${side}-link-cells.sh`, content: linkCellsScript(plan, side), mode: 0o755 },
    ...Object.entries(cellsConfigs(plan, side)).map(([cell, config]) => ({
      path: `cells/${side}-${cell}-cells.json`,
      content: JSON.stringify(config, null, 2) + '\n',
      mode: 0o644,
    })),
  ]);
}

/** A hypervisor host's documents (assets/host-documents.ts), for review. */
export type HostParts = (host: HostPlan) => UserDataParts;

function hostAssets(plan: StagingPlan, hostParts: HostParts | undefined): RenderedAsset[] {
  if (plan.placement.kind !== 'hypervisors' || !hostParts) return [];
  return plan.placement.hosts.flatMap((host) => {
    const parts = hostParts(host);
    return [
      { path: `hosts/${host.name}.cloud-init.yaml`, content: parts.inline, mode: 0o644 },
      ...parts.bucketObjects.map((o) => ({ path: `bucket/${o.key}`, content: o.content, mode: 0o600 })),
    ];
  });
}

/**
 * Every asset, in a fixed order: same plan and options, same files byte for byte. Where
 * the nodes are KVM guests, `hostParts` renders their hosts' documents too.
 */
export function renderAssets(plan: StagingPlan, options: PartsOptions, hostParts?: HostParts): RenderedAsset[] {
  return [
    ...nodeAssets(plan, options),
    ...hostAssets(plan, hostParts),
    ...sideAssets(plan),
    { path: 'secrets/create-secrets.sh', content: createSecretsScript(plan, options.operatorAws), mode: 0o755 },
  ];
}
