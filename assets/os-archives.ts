/**
 * Where a node's own OS packages come from. The era's images (CentOS 6.7, 7.1,
 * 7.2) point their base, updates and extras repositories at the CentOS mirror
 * network, which no longer serves EL6 or EL7; only the vault keeps them, per
 * minor release, and EPEL's old releases live in the Fedora archive. So before
 * anything is installed the bootstrap disables the image's repository files and
 * writes its own, from the target's `osArchives` / `epelArchives` or these
 * defaults.
 */
import { InputError } from '../profile/errors';
import type { NodePlan } from '../plan/types';

export interface OsArchiveOptions {
  /** Vault-style base URL per OS name (`<base>os/x86_64/`, `updates/`, `extras/`): the target's `osArchives`. */
  readonly osArchives?: Readonly<Record<string, string>>;
  /** EPEL archive URL per EL major release (the `x86_64/` folder): the target's `epelArchives`. */
  readonly epelArchives?: Readonly<Record<string, string>>;
  readonly source?: string;
}

/** The vault folder of each EL7 minor release (its build month), as vault.centos.org names them. */
const EL7_VAULT: Readonly<Record<string, string>> = {
  '7.0': '7.0.1406',
  '7.1': '7.1.1503',
  '7.2': '7.2.1511',
  '7.3': '7.3.1611',
  '7.4': '7.4.1708',
  '7.5': '7.5.1804',
  '7.6': '7.6.1810',
  '7.7': '7.7.1908',
  '7.8': '7.8.2003',
  '7.9': '7.9.2009',
};

/** The CentOS vault's tree of an OS name, when it is a CentOS release the vault keeps. */
export function vaultBase(os: string): string | undefined {
  const m = /^centos-(\d+)\.(\d+)$/.exec(os);
  if (!m) return undefined;
  const [, major, minor] = m;
  if (major === '6' && Number(minor) <= 10) return `https://vault.centos.org/6.${minor}/`;
  const folder = major === '7' ? EL7_VAULT[`7.${minor}`] : undefined;
  return folder ? `https://vault.centos.org/${folder}/` : undefined;
}

export const majorOf = (os: string): string => /-(\d+)\./.exec(os)?.[1] ?? '7';

const DEFAULT_EPEL = (major: string) => `https://archives.fedoraproject.org/pub/archive/epel/${major}/x86_64/`;

/** Repository files of the image that stay (ours, and RDO's written later by cloud-init's yum_repos). */
export const OWN_REPO_FILES = ['staging-os.repo', 'openstack-*.repo'];

export interface OsRepo {
  readonly id: string;
  readonly name: string;
  readonly baseurl: string;
  /** The image's own key for CentOS' packages; EPEL's key is not on the image. */
  readonly gpgkey?: string;
}

/** The OS repositories of a node: base, updates and extras from its OS's archive, and EPEL. */
export function osRepos(node: NodePlan, options: OsArchiveOptions): OsRepo[] {
  const configured = options.osArchives?.[node.os];
  const base = configured ?? vaultBase(node.os);
  if (!base) {
    throw new InputError(
      options.source ?? 'target config',
      `osArchives.${node.os}`,
      `is required: ${node.name} runs ${node.os}, which the CentOS vault does not keep; name the archive (or your mirror) of its base, updates and extras repositories`,
    );
  }
  const root = base.endsWith('/') ? base : `${base}/`;
  const major = majorOf(node.os);
  const key = `file:///etc/pki/rpm-gpg/RPM-GPG-KEY-CentOS-${major}`;
  const signed = configured === undefined || /centos/i.test(node.os);
  return [
    ...(['os', 'updates', 'extras'] as const)
      .map((part) => ({
        id: `staging-${part}`,
        name: `${node.os} ${part} (archive)`,
        baseurl: `${root}${part}/x86_64/`,
        ...(signed ? { gpgkey: key } : {}),
      }))
      .map((r) => ('gpgkey' in r ? r : { ...r, name: `${r.name}, unsigned` })),
    { id: 'staging-epel', name: `EPEL ${major} (archive, unsigned)`, baseurl: options.epelArchives?.[major] ?? DEFAULT_EPEL(major) },
  ];
}

/**
 * bootcmd entry, before anything is installed and once per instance: the image's
 * repository files set aside, the archive's written. POSIX sh (EL6's too).
 */
export function osReposBootcmd(node: NodePlan, options: OsArchiveOptions): readonly string[] {
  const repos = osRepos(node, options);
  const text = repos
    .map((r) =>
      [
        `[${r.id}]`,
        `name=${r.name}`,
        `baseurl=${r.baseurl}`,
        'enabled=1',
        r.gpgkey ? 'gpgcheck=1' : 'gpgcheck=0',
        ...(r.gpgkey ? [`gpgkey=${r.gpgkey}`] : []),
        '',
      ].join('\\n'),
    )
    .join('\\n')
    // printf's format: a % of a URL is printed as itself.
    .replace(/%/g, '%%');
  const keep = OWN_REPO_FILES.join('|');
  const script = [
    'done=/var/lib/openstack-staging/os-repos.done',
    '[ -f "$done" ] && exit 0',
    'cd /etc/yum.repos.d || exit 1',
    // Set aside, not deleted: an operator can compare them with what replaced them.
    `for f in *.repo; do case "$f" in ${keep}) ;; *) [ -f "$f" ] && mv "$f" "$f.image-disabled" ;; esac; done`,
    `printf '${text}' > staging-os.repo`,
    'yum clean all >/dev/null 2>&1 || true',
    'mkdir -p /var/lib/openstack-staging && touch "$done"',
  ].join('\n');
  return ['sh', '-c', script];
}
