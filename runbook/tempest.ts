/**
 * The community's own test suite after every switch: Tempest's smoke tests, run
 * from the migration toolbox against the serving side, with a Tempest release that
 * still supports that side's OpenStack release (docs/research/tempest.md names the
 * tags and files each fact comes from):
 * - Icehouse: tag 5, "End of Icehouse support" (its commits were still gated on
 *   Icehouse; its `tox -esmoke` selects only tests tagged smoke); testr runs it.
 * - Liberty: 13.0.0, the last release whose notes list Liberty; `tempest run`.
 * What the staging cannot pass for a stated reason (no L3, no Cinder, cells v1) is
 * excluded by runbook/tempest-exclude.txt, each entry with its reason. Its
 * `REGEX # reason` lines are the blacklist-file format `tempest run` reads through
 * os-testr (regex_builder.construct_regex at 0.8.0, the version 13.0.0's constraints pin).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { placeholder, SECRETS_FILE } from '../assets/secrets';
import { shQuote } from '../assets/shell';
import { MEMBER_ROLE, SWIFT_OPERATOR_ROLE, SWIFT_RESELLER_ROLE } from '../plan/canary';
import { TEMPEST_ACCOUNT_ROLES, TEMPEST_ACCOUNTS, TEMPEST_DIRECTORY_ACCOUNTS, TEMPEST_WORKERS } from '../plan/tempest-accounts';
import { addAccountsLines, directoryNode } from '../assets/ldap';
import type { NodePlan, Side, StagingPlan } from '../plan/types';
import type { Release } from '../profile/schema';
import { TOOLBOX } from './dumps';
import { addressOf, nodeNamed } from '../assets/endpoints';
import { onNode, SSH, work, type Context } from './remote';
import { CHECKS, stagingCli, stagingCliOnce } from './staging-cli';
import type { Phase, Step } from './types';

/** How one Tempest release is installed and run. */
export interface TempestRelease {
  /** Git tag of openstack/tempest. */
  readonly tag: string;
  /** upper-constraints.txt of openstack/requirements from the tag's date (its own `tempest===` pin is dropped). */
  readonly constraints: string;
  /** testr (no `tempest` command before 2016) or `tempest run` with a blacklist file. */
  readonly runner: 'testr' | 'tempest-run';
}

const REQUIREMENTS = 'https://opendev.org/openstack/requirements/raw/commit';

/** The Tempest each serving release is tested with; a release without one gets no Tempest step. */
export const TEMPEST: Partial<Record<Release, TempestRelease>> = {
  icehouse: { tag: '5', constraints: `${REQUIREMENTS}/c4b502c62878fb1602612a4d5f5cb7c9bd51f3e1/upper-constraints.txt`, runner: 'testr' },
  liberty: {
    tag: '13.0.0',
    constraints: `${REQUIREMENTS}/789dd5c59521ca471fd531e148f1cedef417ff04/upper-constraints.txt`,
    runner: 'tempest-run',
  },
};

/** Exclusions: `REGEX  # reason` lines, each a test id prefix the staging cannot pass. */
export const TEMPEST_EXCLUDE_FILE = join(__dirname, 'tempest-exclude.txt');
/** Further exclusions where Keystone's identity is the read-only directory stand-in. */
export const TEMPEST_EXCLUDE_DIRECTORY_FILE = join(__dirname, 'tempest-exclude-directory.txt');

export interface TempestExclusion {
  readonly regex: string;
  readonly reason: string;
}

export function tempestExclusions(file = TEMPEST_EXCLUDE_FILE): TempestExclusion[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'))
    .map((l) => {
      const at = l.indexOf(' #');
      if (at < 0) throw new Error(`${file}: no reason on the line: ${l}`);
      return { regex: l.slice(0, at).trim(), reason: l.slice(at + 2).trim() };
    });
}

/**
 * One regex selecting the smoke tests but none excluded: testr ORs several filters
 * and applies each with re.search (testrepository's TestListingFixture), so tag 5
 * needs them folded into one anchored look-ahead.
 */
export const smokeSelection = (exclusions: readonly TempestExclusion[]): string =>
  `^(?!${exclusions.map((e) => e.regex.replace(/^\^/, '')).join('|')})(?=.*\\[.*\\bsmoke\\b.*\\])`;

/** What a run of a plan excludes: the staging's own limits, and the read-only identity's where there is a directory. */
export const planExclusions = (plan: StagingPlan): TempestExclusion[] => [
  ...tempestExclusions(),
  ...(plan.keystone.directory ? tempestExclusions(TEMPEST_EXCLUDE_DIRECTORY_FILE) : []),
];

/** Where a run keeps its pre-provisioned accounts file (in the conf's folder, root's only). */
const accountsFileOf = (tempest: TempestRelease) => `${home(tempest)}/src/etc/accounts.yaml`;

/**
 * Tempest's accounts file (plan/tempest-accounts.ts), in the format of etc/accounts.yaml.sample
 * at 5 and 13.0.0; the password placeholder is filled on the toolbox. `tenant_name` is read
 * by both releases (13.0.0 takes it for `project_name`).
 */
export function tempestAccountsYaml(): string {
  return [
    "# Tempest's pre-provisioned accounts: users of the directory stand-in, each in a project of its own.",
    ...TEMPEST_ACCOUNTS.flatMap((a) => [
      `- username: '${a.user}'`,
      `  tenant_name: '${a.project}'`,
      `  password: '${placeholder('LDAP_TEST_PASSWORD')}'`,
      `  types: ['${a.type}']`,
    ]),
    '',
  ].join('\n');
}

/**
 * The tempest.conf of a side; `$REGION` and the `{{…}}` placeholders are filled on the toolbox at
 * run time. With `accountsFile`, Tempest takes its credentials from that file rather than
 * creating them (plan/tempest-accounts.ts says why).
 */
export function tempestConf(keystone: NodePlan, tempest: TempestRelease, network: string, accountsFile?: string): string {
  const url = `http://${keystone.addresses.management}:5000`;
  const newer = tempest.runner === 'tempest-run';
  // The catalog's public URLs are at the edge, which answers the operators' addresses only: the toolbox uses the internal ones.
  const internal: [string, string][] = [['endpoint_type', 'internalURL']];
  const admin: [string, string][] = [
    ['admin_username', 'admin'],
    [newer ? 'admin_project_name' : 'admin_tenant_name', 'admin'],
    ['admin_password', placeholder('KEYSTONE_ADMIN_PASSWORD')],
    ['admin_domain_name', 'Default'],
  ];
  const groups: [string, [string, string][]][] = [
    [
      'auth',
      [
        [newer ? 'use_dynamic_credentials' : 'allow_tenant_isolation', accountsFile ? 'False' : 'True'],
        ...(accountsFile ? ([['test_accounts_file', accountsFile]] as [string, string][]) : []),
        // Dynamic credentials would make a router per test project: the staging has no L3.
        ['create_isolated_networks', 'False'],
        ['tempest_roles', MEMBER_ROLE],
        ...(newer ? admin : []),
      ],
    ],
    [
      'identity',
      [
        ['uri', `${url}/v2.0/`],
        ['uri_v3', `${url}/v3/`],
        ['auth_version', 'v2'],
        ['region', '$REGION'],
        ...(newer
          ? ([
              ['v2_public_endpoint_type', 'internalURL'],
              ['v2_admin_endpoint_type', 'adminURL'],
              ['v3_endpoint_type', 'adminURL'],
            ] as [string, string][])
          : [...internal, ...admin]),
      ],
    ],
    [
      'identity-feature-enabled',
      [
        ['api_v2', 'True'],
        ['api_v3', 'True'],
      ],
    ],
    [
      'compute',
      [
        ['image_ref', '$IMAGE'],
        ['image_ref_alt', '$IMAGE_ALT'],
        ['flavor_ref', '$FLAVOR'],
        ['flavor_ref_alt', '$FLAVOR_ALT'],
        // Shared, made by the canary: there is no L3 for Tempest to make a network per test project.
        ['fixed_network_name', network],
        ['build_timeout', '600'],
        ['region', '$REGION'],
        ...internal,
      ],
    ],
    [
      'compute-feature-enabled',
      [
        // Cells v1 has neither resize nor live migration across cells (nova 12.0.0 devstack/tempest-dsvm-cells-rc).
        ['resize', 'False'],
        ['live_migration', 'False'],
        ['shelve', 'True'],
      ],
    ],
    ['image', [['region', '$REGION'], ...internal]],
    [
      'image-feature-enabled',
      [
        ['api_v1', 'True'],
        ['api_v2', 'True'],
      ],
    ],
    ['network', [[newer ? 'project_networks_reachable' : 'tenant_networks_reachable', 'False'], ['region', '$REGION'], ...internal]],
    // Listed without `router`: Tempest skips the router and floating-IP tests (tempest/test.py is_extension_enabled).
    [
      'network-feature-enabled',
      [
        ['api_extensions', 'binding,quotas,agent,dhcp_agent_scheduler,provider,security-group,extra_dhcp_opt,allowed-address-pairs'],
        ['ipv6', 'False'],
      ],
    ],
    [
      'object-storage',
      [['region', '$REGION'], ['operator_role', SWIFT_OPERATOR_ROLE], ['reseller_admin_role', SWIFT_RESELLER_ROLE], ...internal],
    ],
    ['validation', [['run_validation', 'False']]],
    [
      'service_available',
      [
        ['nova', 'True'],
        ['neutron', 'True'],
        ['glance', 'True'],
        ['swift', 'True'],
        ['cinder', 'False'],
        ['heat', 'False'],
        ['sahara', 'False'],
        ['ironic', 'False'],
      ],
    ],
  ];
  return [
    `# Tempest ${tempest.tag} for the staging side of ${keystone.side} (${keystone.release}); written by the rehearsal.`,
    ...groups.flatMap(([group, options]) => ['', `[${group}]`, ...options.map(([k, v]) => `${k} = ${v}`)]),
    '',
  ].join('\n');
}

const home = (tempest: TempestRelease) => `/opt/tempest-${tempest.tag}`;

/** Tempest releases of the sides that serve during the rehearsal (old, then new). */
const servingTempests = (ctx: Context): TempestRelease[] => [
  ...new Set(ctx.plan.sides.map((s) => TEMPEST[s.release]).filter((t): t is TempestRelease => t !== undefined)),
];

/** Once, at seed: each Tempest release in its own virtualenv on the toolbox, its dependencies pinned to its date's constraints. */
export function tempestInstallStep(ctx: Context, phase: Phase): Step {
  return {
    id: `${phase}.tempest-install`,
    phase,
    title: `Install Tempest ${servingTempests(ctx)
      .map((t) => t.tag)
      .join(' and ')} on the migration toolbox`,
    where: TOOLBOX,
    commands: [
      onNode(ctx, TOOLBOX, [
        'yum -y install git gcc python-devel openssl-devel libffi-devel python-virtualenv',
        // PyPI answers only clients that send the TLS server name, which Python 2.7.5 before EL 7.4 does not.
        `if ! python -c 'import ssl, sys; sys.exit(0 if getattr(ssl, "HAS_SNI", False) else 1)' && ! grep -qs '^index-url' /root/.pip/pip.conf; then`,
        `  echo "$(python -V 2>&1) sends no TLS server name, which PyPI requires: name a mirror as index-url in /root/.pip/pip.conf, then resume" >&2`,
        '  exit 1',
        'fi',
        ...servingTempests(ctx).flatMap((t) => [
          `if [ ! -x ${home(t)}/venv/bin/testr ]; then`,
          `  rm -rf ${home(t)}; mkdir -p ${home(t)}`,
          `  git clone -q --depth 1 --branch ${t.tag} https://opendev.org/openstack/tempest ${home(t)}/src`,
          `  curl -fsS ${t.constraints} | grep -v '^tempest===' > ${home(t)}/constraints.txt`,
          `  virtualenv ${home(t)}/venv`,
          // The last pip and setuptools that run on Python 2.7.
          `  ${home(t)}/venv/bin/pip install -q 'pip<21' 'setuptools<45'`,
          `  PBR_VERSION=${t.tag} ${home(t)}/venv/bin/pip install -q -c ${home(t)}/constraints.txt ${home(t)}/src junitxml python-subunit testrepository`,
          `  (cd ${home(t)}/src && ${home(t)}/venv/bin/testr init >/dev/null)`,
          'fi',
        ]),
      ]),
    ],
    rollbackSafe: true,
  };
}

/**
 * The smoke run against a side: the operator reads the run's values (region, the canary's
 * image and production's flavors) from the staging's API, the toolbox writes the conf with
 * the admin password from its secrets file, runs, and hands back JUnit XML for the report.
 */
export function tempestStep(ctx: Context, phase: Phase, side: Side): Step | undefined {
  const release = ctx.plan.sides.find((s) => s.name === side)!.release;
  const tempest = TEMPEST[release];
  if (!tempest) return undefined;
  const keystone = ctx.plan.nodes.find((n) => n.side === side && n.role === 'keystone')!;
  const exclusions = planExclusions(ctx.plan);
  const accounts = ctx.plan.keystone.directory ? accountsFileOf(tempest) : undefined;
  const dir = `${home(tempest)}/src`;
  const locks = `${home(tempest)}/locks`;
  const run =
    tempest.runner === 'testr'
      ? `(cd ${dir} && testr run --parallel --concurrency=${TEMPEST_WORKERS} ${shQuote(smokeSelection(exclusions))}) || status=$?`
      : `(cd ${dir} && tempest run --smoke --concurrency ${TEMPEST_WORKERS} --blacklist-file exclude.txt --config-file etc/tempest.conf) || status=$?`;
  const seed = work(ctx, 'canary-seed.json');
  const flavors = ctx.plan.canary.flavors.map((f) => f.name);
  const flavorId = (name: string) => `"$(${stagingCli(ctx)} flavor show -f value -c id ${shQuote(name)})"`;
  const junit = work(ctx, `tempest-${phase}.xml`);
  return {
    id: `${phase}.tempest`,
    phase,
    title: `Tempest ${tempest.tag} smoke tests against the ${side} side (${release}), from the toolbox`,
    where: 'operator',
    commands: [
      [
        'set -e',
        `region="$(${stagingCli(ctx)} endpoint list --service identity --interface internal -f value -c Region | head -n 1)"`,
        onNode(
          ctx,
          TOOLBOX,
          [
            'REGION="$1" IMAGE="$2" IMAGE_ALT="$3" FLAVOR="$4" FLAVOR_ALT="$5"',
            `. ${SECRETS_FILE}`,
            `umask 077`,
            `cat > ${dir}/etc/tempest.conf <<'CONF'`,
            ...tempestConf(keystone, tempest, ctx.plan.canary.tempestNetwork.name, accounts).trimEnd().split('\n'),
            'CONF',
            ...(accounts
              ? [
                  `cat > ${accounts} <<'ACCOUNTS'`,
                  ...tempestAccountsYaml().trimEnd().split('\n'),
                  'ACCOUNTS',
                  `sed -i "s|${placeholder('LDAP_TEST_PASSWORD')}|$LDAP_TEST_PASSWORD|" ${accounts}`,
                ]
              : []),
            // The run's values and the password are put in on the toolbox: the conf file is root's only.
            `sed -i -e "s|\\$REGION|$REGION|g; s|\\$IMAGE_ALT|$IMAGE_ALT|g; s|\\$IMAGE|$IMAGE|g; s|\\$FLAVOR_ALT|$FLAVOR_ALT|g; s|\\$FLAVOR|$FLAVOR|g" -e "s|${placeholder('KEYSTONE_ADMIN_PASSWORD')}|$KEYSTONE_ADMIN_PASSWORD|" ${dir}/etc/tempest.conf`,
            `cat > ${dir}/exclude.txt <<'EXCLUDE'`,
            ...exclusions.map((e) => `${e.regex} # ${e.reason}`),
            'EXCLUDE',
            'status=0',
            `export TEMPEST_CONFIG_DIR=${dir}/etc`,
            // The accounts' locks (oslo.concurrency's lock_path, which tag 5 leaves unset): a run cut short must not leave accounts taken.
            `rm -rf ${locks} && mkdir -m 700 ${locks} && export OSLO_LOCK_PATH=${locks}`,
            // testr runs the tests with the first `python` on the PATH (its .testr.conf): the virtualenv's.
            `export PATH=${home(tempest)}/venv/bin:$PATH`,
            // A fresh test repository per run: a run that fails to start must not hand back the previous phase's results.
            `rm -rf ${dir}/.testrepository ${dir}/junit.xml && (cd ${dir} && testr init >/dev/null)`,
            run,
            `(cd ${dir} && testr last --subunit | subunit2junitxml > ${dir}/junit.xml) || true`,
            `echo "tempest exited $status" >&2`,
          ],
          [
            '"$region"',
            `"$(${CHECKS} image-id ${seed})"`,
            `"$(${CHECKS} image-id ${seed} multibyte)"`,
            flavorId(flavors[0]),
            flavorId(flavors[Math.min(1, flavors.length - 1)]),
          ],
        ),
        `${SSH} ${ctx.options.sshUser}@${addressOf(nodeNamed(ctx.plan, TOOLBOX))} sudo cat ${dir}/junit.xml > ${junit}`,
        `${CHECKS} tempest ${junit} ${shQuote(tempest.tag)}`,
      ].join('\n'),
    ],
    rollbackSafe: true,
  };
}

/**
 * Once, at seed, where Keystone's identity is the directory stand-in: Tempest's accounts
 * (plan/tempest-accounts.ts) added to the stand-in, then a project for each and its roles
 * there, as the staging's admin. Production's restored Keystone may lack a Swift role; it is created.
 */
export function tempestAccountsStep(ctx: Context, phase: Phase): Step | undefined {
  if (!ctx.plan.keystone.directory) return undefined;
  const { setup, cli } = stagingCliOnce(ctx);
  const roles = [...new Set(Object.values(TEMPEST_ACCOUNT_ROLES).flat())];
  return {
    id: `${phase}.tempest-accounts`,
    phase,
    title: `Add Tempest's ${TEMPEST_ACCOUNTS.length} accounts to the directory stand-in, each with a project of its own and its roles there`,
    where: 'operator',
    commands: [
      // The directory's part: the accounts are added now rather than at boot (plan/tempest-accounts.ts says why).
      onNode(ctx, directoryNode(ctx.plan).name, addAccountsLines(ctx.plan, TEMPEST_DIRECTORY_ACCOUNTS)),
      [
        setup,
        `for role in ${roles.join(' ')}; do`,
        `  ${cli} role show "$role" >/dev/null 2>&1 || ${cli} role create "$role" >/dev/null || exit 1`,
        'done',
        'while read -r user project roles; do',
        `  ${cli} project show "$project" >/dev/null 2>&1 ||`,
        `    ${cli} project create --domain default --description "Tempest's account $user" "$project" >/dev/null || exit 1`,
        '  for role in $roles; do',
        `    ${cli} role add --user "$user" --user-domain default --project "$project" --project-domain default "$role" || exit 1`,
        '  done',
        "done <<'ACCOUNTS'",
        ...TEMPEST_ACCOUNTS.map((a) => `${a.user} ${a.project} ${TEMPEST_ACCOUNT_ROLES[a.type].join(' ')}`),
        'ACCOUNTS',
      ].join('\n'),
    ],
    rollbackSafe: true,
  };
}
