/**
 * Package repositories of a node: the RDO archive of the release it runs, from
 * the target's `packageArchives`. The migration toolbox also gets the releases
 * the database migration passes through (disabled: each migration step enables
 * the one it runs), since the Kilo step cannot be skipped.
 */
import { InputError } from '../profile/errors';
import type { Release } from '../profile/schema';
import type { NodePlan, StagingPlan } from '../plan/types';

export interface RepoOptions {
  /** Archive base URL per release (the target's `packageArchives`). */
  readonly packageArchives: Readonly<Record<string, string>>;
  /** Path under the archive for a release and OS; the default follows RDO's archive layout. */
  readonly repoPath?: (release: Release, os: string) => string;
  /** GPG key URL per release; without one the repository is used unsigned (said in its name). */
  readonly gpgKeys?: Readonly<Record<string, string>>;
  /** Where `packageArchives` came from, for error messages. */
  readonly source?: string;
}

export interface YumRepo {
  readonly name: string;
  readonly baseurl: string;
  readonly enabled: boolean;
  readonly gpgcheck: boolean;
  readonly gpgkey?: string;
}

/**
 * RDO's archive layout (assumption: the rdo-release packages of that era point Havana to Juno
 * at `epel-<major>/` and Kilo onwards at `el<major>/`); override with `repoPath` for a mirror.
 */
export function rdoRepoPath(release: Release, os: string): string {
  const major = /(\d+)/.exec(os)?.[1] ?? '7';
  return ['havana', 'icehouse', 'juno'].includes(release) ? `epel-${major}/` : `el${major}/`;
}

/** Releases whose repositories a node carries, the one it runs first. */
export function releasesOf(plan: StagingPlan, node: NodePlan): Release[] {
  if (node.role !== 'migration-toolbox') return [node.release];
  const path = [plan.releases.from, ...plan.releases.via, plan.releases.to];
  return [node.release, ...path.filter((r) => r !== node.release)];
}

function repo(release: Release, node: NodePlan, enabled: boolean, options: RepoOptions): YumRepo {
  const archive = options.packageArchives[release];
  if (!archive)
    throw new InputError(
      options.source ?? 'target config',
      `packageArchives.${release}`,
      `is required: ${node.name} (${node.role}) installs ${release} packages`,
    );
  const base = archive.endsWith('/') ? archive : `${archive}/`;
  const gpgkey = options.gpgKeys?.[release];
  return {
    name: `OpenStack ${release} (RDO${gpgkey ? '' : ', unsigned: no GPG key configured'})`,
    baseurl: base + (options.repoPath ?? rdoRepoPath)(release, node.os),
    enabled,
    gpgcheck: gpgkey !== undefined,
    ...(gpgkey ? { gpgkey } : {}),
  };
}

/** cloud-init `yum_repos`: repo id -> settings. */
export function yumRepos(plan: StagingPlan, node: NodePlan, options: RepoOptions): Record<string, YumRepo> {
  return Object.fromEntries(
    releasesOf(plan, node).map((release) => [`openstack-${release}`, repo(release, node, release === node.release, options)]),
  );
}
