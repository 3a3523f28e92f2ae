/**
 * cloud-init user data per node, rendered from the plan: hostname, the package
 * repositories of its release, its volumes formatted and mounted, its Nova cells
 * settings, and the hand-off to configuration management. Secrets are never in
 * it: the hand-off fetches them at boot.
 */
import type { NodePlan, StagingPlan } from '../plan/types';
import type { DevicePath } from './devices';
import type { WriteFile } from './role-setup';
import { sideOf } from './endpoints';
import { HANDOFF_SCRIPT, handoffScript, novaServicesOf } from './handoff';
import { directorySetup, keystoneFragments, keystoneLdapPackages } from './ldap';
import { glanceFragments } from './glance';
import { keystoneServices } from '../plan/roles';
import { novaFragments } from './nova-conf';
import { isPuppetNode, MANIFEST_FILE, puppetApplyCommand, puppetPackages, roleManifest } from './puppet';
import { yumRepos, type RepoOptions } from './repos';
import { diskConfig, disksBootcmd } from './storage';
import { osReposBootcmd, type OsArchiveOptions } from './os-archives';
import { logForwarding, monitoringSetup } from './logging';
import { interfacesBootcmd } from './interfaces';
import { overlayBootcmd } from './tenant-network';
import { toolboxSetup } from './toolbox';
import { stringify } from 'yaml';

export interface UserDataOptions extends RepoOptions, OsArchiveOptions {
  /** Stable device path of each planned volume inside the guest (the target's mapping). */
  readonly devicePath: DevicePath;
  /** DNS domain of the staging nodes; default `<rehearsal id>.internal`. */
  readonly domain?: string;
  /** Command printing the secrets as KEY=VALUE lines at boot; none: the runbook copies them over SSH. */
  readonly secretsCommand?: string;
  /** Configuration-management run; default: `puppet apply` of the node's role manifest (assets/puppet.ts). */
  readonly configureCommand?: string;
}

export type { WriteFile } from './role-setup';

/** A cloud-config document before rendering: comment lines and the YAML body. */
export interface CloudConfig {
  readonly header: readonly string[];
  readonly doc: Readonly<Record<string, unknown>> & { readonly write_files?: readonly WriteFile[]; readonly runcmd?: readonly unknown[] };
}

export const CLOUD_CONFIG_HEADER = '#cloud-config';

/** Root-only: these files hold secrets once the hand-off has filled them. */
const secretFile = (path: string, content: string): WriteFile => ({ path, content, owner: 'root:root', permissions: '0600' });

/** Puppet and the release's modules; crudini for the merges; nova-cells, which no role class installs; Keystone's LDAP modules. */
function packagesOf(plan: StagingPlan, node: NodePlan, merges: boolean): string[] {
  const cells = novaServicesOf(node).includes('openstack-nova-cells');
  return [
    ...puppetPackages(node),
    ...(merges ? ['crudini'] : []),
    ...(cells ? ['openstack-nova-cells'] : []),
    ...keystoneLdapPackages(plan, node),
  ];
}

/** Puppet and the configuration files of a node Puppet configures. */
function configurationManagement(plan: StagingPlan, node: NodePlan, options: UserDataOptions, mountPoints: readonly string[]) {
  const nova = novaFragments(plan, node);
  const keystone = keystoneFragments(plan, node);
  const glance = glanceFragments(plan, node);
  const files = [
    secretFile(MANIFEST_FILE, roleManifest(plan, node)),
    ...[...nova, ...keystone, ...glance].map((f) => secretFile(f.path, f.content)),
  ];
  const script = handoffScript(node, {
    mountPoints,
    placeholderFiles: files.map((f) => f.path),
    novaFragments: nova.map((f) => f.path),
    keystoneFragments: keystone.map((f) => f.path),
    glanceFragments: glance.map((f) => f.path),
    restart: [
      ...(nova.length ? novaServicesOf(node) : []),
      ...(keystone.length ? keystoneServices(node.release) : []),
      ...(glance.length ? ['openstack-glance-api'] : []),
    ],
    swiftDevices: node.role === 'swift-storage' ? mountPoints : [],
    secretsCommand: options.secretsCommand,
    configureCommand: options.configureCommand ?? puppetApplyCommand(node),
  });
  return {
    packages: packagesOf(plan, node, nova.length + keystone.length + glance.length > 0),
    writeFiles: [...files, { path: HANDOFF_SCRIPT, content: script, owner: 'root:root', permissions: '0700' }],
    runcmd: [[HANDOFF_SCRIPT]],
  };
}

/** The cloud-config of one node, as data. */
export function cloudConfig(plan: StagingPlan, node: NodePlan, options: UserDataOptions): CloudConfig {
  const disks = diskConfig(node, options.devicePath);
  const cm = isPuppetNode(node) ? configurationManagement(plan, node, options, disks?.mountPoints ?? []) : undefined;
  const interfaces = interfacesBootcmd(plan, node);
  const overlay = overlayBootcmd(plan, node);
  // The directory stand-in last: it may wait for its secrets, the log receiver must not.
  const setups = [
    logForwarding(plan, node),
    monitoringSetup(plan, node),
    toolboxSetup(plan, node),
    directorySetup(plan, node, options.secretsCommand),
  ].filter((s) => s !== undefined);
  const packages = [...new Set([...setups.flatMap((s) => s.packages), ...(cm?.packages ?? [])])];
  const writeFiles = [...setups.flatMap((s) => s.writeFiles), ...(cm?.writeFiles ?? [])];
  // The role's own setup first; the configuration-management hand-off last.
  const runcmd = [...setups.flatMap((s) => s.runcmd), ...(cm?.runcmd ?? [])];
  // The extra interfaces first: the overlay's underlay is the tenant interface's address. Then the OS
  // archive's repositories, before anything is installed; then the volumes, formatted by the node itself.
  const bootcmd = [
    ...(interfaces ? [interfaces] : []),
    osReposBootcmd(node, options),
    ...(disks ? [disksBootcmd(disks)] : []),
    ...(overlay ? [overlay] : []),
  ];
  const doc = {
    hostname: node.name,
    fqdn: `${node.name}.${options.domain ?? `${plan.rehearsalId}.internal`}`,
    preserve_hostname: false,
    manage_etc_hosts: true,
    yum_repos: yumRepos(plan, node, options),
    // Production's point releases are kept: upgrading the OS here would rehearse a different cloud.
    package_upgrade: false,
    ...(packages.length ? { packages } : {}),
    bootcmd,
    ...(writeFiles.length ? { write_files: writeFiles } : {}),
    ...(runcmd.length ? { runcmd } : {}),
  };
  const header = [
    `${node.name}: ${node.role} on the ${node.side === 'shared' ? `shared (starts on the ${sideOf(node)})` : node.side} side, ${node.release} on ${node.os}${node.cell ? `, cell ${node.cell}` : ''}.`,
    `Rendered from plan ${plan.rehearsalId}. No secret is in this document: the hand-off fetches them at boot.`,
  ];
  return { header, doc };
}

/** Renders a cloud-config document; plain YAML, literal blocks for files, no anchors. */
export function renderCloudConfig(config: CloudConfig): string {
  const body = stringify(config.doc, { lineWidth: 0, blockQuote: 'literal', aliasDuplicateObjects: false });
  return [CLOUD_CONFIG_HEADER, ...config.header.map((line) => `# ${line}`), body].join('\n');
}

/** The user data of one node, as cloud-init reads it. */
export function userData(plan: StagingPlan, node: NodePlan, options: UserDataOptions): string {
  return renderCloudConfig(cloudConfig(plan, node, options));
}
