/**
 * The company-wide directory stand-in and Keystone's view of it.
 *
 * Monitoring node: OpenLDAP (slapd) with the plan's suffix, organizational units
 * for users, groups and service accounts, and the test accounts, seeded once at
 * boot by a small script (secrets fetched like the hand-off does, filled into the
 * LDIF placeholders).
 *
 * Keystone nodes of both sides: the LDAP identity driver for the default domain,
 * read-only, with role assignments kept in SQL (plan/directory.ts says why one
 * backend). The assignment driver must be named: left unset, keystone 2014.1
 * `assignment/core.py` takes the identity driver's `default_assignment_driver()`,
 * which for LDAP is LDAP assignments (keystone/identity/backends/ldap.py).
 * Key names are the same in Icehouse and Liberty; only the driver values differ:
 * Icehouse loads class paths, Liberty entry point names (class paths are deprecated
 * there). The settings are merged after Puppet, so the users Puppet's auth classes
 * create land in SQL first, and are replaced with production's database anyway.
 */
import { RELEASES, type Release } from '../profile/schema';
import type { DirectoryAccount, DirectoryPlan } from '../plan/directory';
import type { NodePlan, StagingPlan } from '../plan/types';
import { addressOf } from './endpoints';
import { FILL, secretsFunctions } from './handoff';
import { renderIni, type IniSection } from './ini';
import type { RoleSetup, WriteFile } from './role-setup';
import { placeholder, SECRETS_FILE } from './secrets';
import { shFunction, shQuote } from './shell';

export const LDAP_DIR = '/etc/openstack-staging/ldap';
export const LDAP_DATABASE_LDIF = `${LDAP_DIR}/database.ldif`;
export const LDAP_SEED_LDIF = `${LDAP_DIR}/seed.ldif`;
export const LDAP_SETUP_SCRIPT = '/usr/local/sbin/staging-ldap-setup';
const LDAP_DONE_MARKER = '/var/lib/openstack-staging/ldap-seeded';

/** keystone.conf fragments, written before Puppet runs, merged after it. */
export const KEYSTONE_CONF_DIR = '/etc/keystone/keystone.conf.d';
export const KEYSTONE_IDENTITY_FRAGMENT = `${KEYSTONE_CONF_DIR}/identity.conf`;

export interface KeystoneFragment {
  readonly path: string;
  readonly content: string;
}

const directoryOf = (plan: StagingPlan): DirectoryPlan | undefined => plan.keystone.directory;

export function directoryNode(plan: StagingPlan): NodePlan {
  const directory = directoryOf(plan);
  const node = directory && plan.nodes.find((n) => n.role === directory.role);
  if (!node) throw new Error('the plan builds a directory stand-in but has no monitoring node to run it');
  return node;
}

const fromLiberty = (release: Release): boolean => RELEASES.indexOf(release) >= RELEASES.indexOf('liberty');

/** Icehouse (and Kilo) load drivers by class path; Liberty by entry point name. */
export const ldapIdentityDriver = (release: Release): string =>
  fromLiberty(release) ? 'ldap' : 'keystone.identity.backends.ldap.Identity';

export const sqlAssignmentDriver = (release: Release): string =>
  fromLiberty(release) ? 'sql' : 'keystone.assignment.backends.sql.Assignment';

/** Keystone's identity settings: the directory stand-in for the default domain, read-only; assignments in SQL. */
export function identityConf(plan: StagingPlan, node: NodePlan): string {
  const directory = directoryOf(plan)!;
  const url = `ldap://${addressOf(directoryNode(plan))}`;
  const sections: IniSection[] = [
    ['identity', [['driver', ldapIdentityDriver(node.release)]]],
    ['assignment', [['driver', sqlAssignmentDriver(node.release)]]],
    [
      'ldap',
      [
        ['url', url],
        ['user', directory.bindDn],
        ['password', placeholder('LDAP_BIND_PASSWORD')],
        ['suffix', directory.suffix],
        ['query_scope', 'one'],
        ['user_tree_dn', directory.usersDn],
        ['user_objectclass', 'inetOrgPerson'],
        // The uid is the entry's RDN: Keystone builds a user's DN from its id (common/ldap/core.py `_id_to_dn`).
        ['user_id_attribute', 'uid'],
        ['user_name_attribute', 'uid'],
        ['user_mail_attribute', 'mail'],
        ['user_pass_attribute', 'userPassword'],
        ['user_allow_create', 'False'],
        ['user_allow_update', 'False'],
        ['user_allow_delete', 'False'],
        ['group_tree_dn', directory.groupsDn],
        ['group_objectclass', 'groupOfNames'],
        ['group_id_attribute', 'cn'],
        ['group_name_attribute', 'cn'],
        ['group_member_attribute', 'member'],
        ['group_desc_attribute', 'description'],
        ['group_allow_create', 'False'],
        ['group_allow_update', 'False'],
        ['group_allow_delete', 'False'],
      ],
    ],
  ];
  const header = [
    `Identity of Keystone on ${node.name} (${node.release}): the default domain's users are the company-directory stand-in's, read-only; assignments stay in SQL.`,
    'Placeholders {{...}} are filled at boot from the secrets file; this file holds no secret until then.',
  ];
  return renderIni(sections, header);
}

/**
 * The Python modules the LDAP driver imports (keystone/common/ldap/core.py: `ldap` at
 * 2014.1, `ldap` and `ldappool` at 8.0.0), installed by name rather than trusted to the
 * packaging's dependencies.
 */
export function keystoneLdapPackages(plan: StagingPlan, node: NodePlan): string[] {
  if (!directoryOf(plan) || node.role !== 'keystone') return [];
  return fromLiberty(node.release) ? ['python-ldap', 'python-ldappool'] : ['python-ldap'];
}

/** The keystone.conf settings of a Keystone node; none without a directory. */
export function keystoneFragments(plan: StagingPlan, node: NodePlan): KeystoneFragment[] {
  if (!directoryOf(plan) || node.role !== 'keystone') return [];
  return [{ path: KEYSTONE_IDENTITY_FRAGMENT, content: identityConf(plan, node) }];
}

/** The database settings (slapd's own, cn=config); `DATABASE` stands for the DN slapd gives its database. */
export function databaseLdif(directory: DirectoryPlan): string {
  return [
    '# The stand-in database: suffix, administrator and access (applied over cn=config).',
    'dn: DATABASE',
    'changetype: modify',
    'replace: olcSuffix',
    `olcSuffix: ${directory.suffix}`,
    '-',
    'replace: olcRootDN',
    `olcRootDN: ${directory.rootDn}`,
    '-',
    'replace: olcRootPW',
    `olcRootPW: ${placeholder('LDAP_ADMIN_PASSWORD')}`,
    '-',
    'replace: olcAccess',
    'olcAccess: {0}to attrs=userPassword by self write by anonymous auth by * none',
    `olcAccess: {1}to * by dn.base="${directory.bindDn}" read by users read by anonymous auth by * none`,
    '',
  ].join('\n');
}

const userDnOf = (directory: DirectoryPlan, uid: string) => `uid=${uid},${directory.usersDn}`;

/** One account's entry, its password a placeholder. */
function accountEntry(plan: StagingPlan, directory: DirectoryPlan, a: DirectoryAccount): string[] {
  return [
    `dn: ${userDnOf(directory, a.uid)}`,
    'objectClass: inetOrgPerson',
    `uid: ${a.uid}`,
    `cn: ${a.uid}`,
    `sn: ${a.uid}`,
    `mail: ${a.uid}@${plan.rehearsalId}.internal`,
    `description: ${a.purpose}`,
    `userPassword: ${placeholder(a.secret)}`,
    '',
  ];
}

/** The seed: base entry, organizational units, Keystone's bind account, groups and Keystone's users. */
export function seedLdif(plan: StagingPlan, directory: DirectoryPlan): string {
  const dc = /^dc=([^,]+)/.exec(directory.suffix)![1];
  const entry = (lines: string[]) => [...lines, ''];
  const ou = (dn: string) => entry([`dn: ${dn}`, 'objectClass: organizationalUnit', `ou: ${/^ou=([^,]+)/.exec(dn)![1]}`]);
  const userDn = (uid: string) => userDnOf(directory, uid);
  return [
    `# Company-directory stand-in of rehearsal ${plan.rehearsalId}: ${directory.accounts.length} accounts, ${directory.groups.length} groups.`,
    '# Placeholders {{...}} are filled at boot from the secrets file.',
    '',
    ...entry([
      `dn: ${directory.suffix}`,
      'objectClass: dcObject',
      'objectClass: organization',
      `dc: ${dc}`,
      `o: company directory stand-in (${plan.rehearsalId})`,
    ]),
    ...ou(directory.usersDn),
    ...ou(directory.groupsDn),
    ...ou(directory.servicesDn),
    ...entry([
      `dn: ${directory.bindDn}`,
      'objectClass: account',
      'objectClass: simpleSecurityObject',
      'uid: keystone',
      'description: read-only account Keystone binds with',
      `userPassword: ${placeholder('LDAP_BIND_PASSWORD')}`,
    ]),
    ...directory.accounts.flatMap((a) => accountEntry(plan, directory, a)),
    ...directory.groups.flatMap((g) => {
      const members = directory.accounts.filter((a) => a.groups.includes(g.name)).map((a) => `member: ${userDn(a.uid)}`);
      if (members.length === 0) throw new Error(`directory group ${g.name} has no member: groupOfNames needs one`);
      return entry([
        `dn: cn=${g.name},${directory.groupsDn}`,
        'objectClass: groupOfNames',
        `cn: ${g.name}`,
        `description: ${g.description}`,
        ...members,
      ]);
    }),
  ].join('\n');
}

const LOG = [
  ...shFunction('log', 'Messages go to cloud-init-output.log.', ['echo "staging-ldap-setup: $*" >&2']),
  ...shFunction('fail', 'Stops the setup with a reason.', ['log "$*"', 'exit 1']),
];

const SETUP_FUNCTIONS = [
  ...shFunction('ldapi', 'Runs an LDAP tool as root over the local socket (SASL EXTERNAL: manages cn=config).', [
    'local tool=$1',
    'shift',
    '"$tool" -Q -Y EXTERNAL -H ldapi:/// "$@"',
  ]),
  ...shFunction('start_slapd', 'Enables and (re)starts slapd, with the local socket on (EL6 leaves it off).', [
    'if [ -f /etc/sysconfig/ldap ]; then',
    "  sed -i 's/^SLAPD_LDAPI=.*/SLAPD_LDAPI=yes/' /etc/sysconfig/ldap",
    'fi',
    'if command -v systemctl >/dev/null; then',
    '  systemctl enable slapd',
    '  systemctl restart slapd',
    'else',
    '  chkconfig slapd on',
    '  service slapd restart',
    'fi',
    'local tries=0',
    'until ldapi ldapsearch -LLL -s base -b cn=config dn >/dev/null 2>&1; do',
    '  tries=$((tries + 1))',
    '  [ "$tries" -le 30 ] || fail "slapd does not answer on ldapi:///"',
    '  sleep 2',
    'done',
  ]),
  ...shFunction('load_schemas', 'inetOrgPerson needs cosine; EL7 loads only the core schema.', [
    'local schema',
    'for schema in cosine inetorgperson; do',
    '  if ! ldapi ldapsearch -LLL -o ldif-wrap=no -b cn=schema,cn=config "(cn=*$schema)" dn | grep -c "^dn:" >/dev/null; then',
    '    ldapi ldapadd -f "/etc/openldap/schema/$schema.ldif"',
    '  fi',
    'done',
  ]),
  ...shFunction('configure_database', 'Applies the suffix, administrator and access to the database slapd ships.', [
    'local db',
    "db=$(ldapi ldapsearch -LLL -o ldif-wrap=no -b cn=config '(olcSuffix=*)' dn | sed -n 's/^dn: //p' | head -n 1)",
    '[ -n "$db" ] || fail "slapd has no database with a suffix in cn=config"',
    `sed "s|^dn: DATABASE$|dn: $db|" ${LDAP_DATABASE_LDIF} | ldapi ldapmodify`,
  ]),
  ...shFunction('secret', 'Prints one secret.', ['sed -n "s/^$1=//p" "$SECRETS"']),
];

/** The setup script of the monitoring node. */
export function ldapSetupScript(directory: DirectoryPlan, secretsCommand: string | undefined): string {
  const main = [
    `[ -e ${LDAP_DONE_MARKER} ] && { log "already seeded (remove ${LDAP_DONE_MARKER} to run again)"; exit 0; }`,
    'get_secrets',
    `fill_placeholders ${LDAP_DATABASE_LDIF} ${LDAP_SEED_LDIF}`,
    'start_slapd',
    'load_schemas',
    'configure_database',
    'umask 077',
    'pwfile=$(mktemp)',
    'trap \'rm -f "$pwfile"\' EXIT',
    'secret LDAP_ADMIN_PASSWORD | tr -d \'\\n\' >"$pwfile"',
    `ldapadd -x -H ldapi:/// -D ${shQuote(directory.rootDn)} -y "$pwfile" -f ${LDAP_SEED_LDIF}`,
    `mkdir -p ${LDAP_DONE_MARKER.replace(/\/[^/]+$/, '')} && touch ${LDAP_DONE_MARKER}`,
    `log "seeded ${directory.suffix}: ${directory.accounts.length} accounts"`,
  ];
  return [
    '#!/bin/bash',
    `# Company-directory stand-in: OpenLDAP with ${directory.suffix}, seeded once with Keystone's users.`,
    `# Secrets are fetched at boot into the root-only ${SECRETS_FILE} and filled into the LDIF placeholders {{...}}.`,
    'set -euo pipefail',
    `SECRETS=${SECRETS_FILE}`,
    '',
    ...LOG,
    ...secretsFunctions(secretsCommand),
    ...FILL,
    ...SETUP_FUNCTIONS,
    ...main,
    '',
  ].join('\n');
}

/**
 * Lines run as root on the directory's node that add accounts after boot (each unless it is
 * there), as the directory's administrator, then check that each binds with its own secret.
 * The secrets are read from the node's secrets file and passed to the tools in files.
 */
export function addAccountsLines(plan: StagingPlan, accounts: readonly DirectoryAccount[]): string[] {
  const directory = directoryOf(plan)!;
  const secrets = [...new Set(accounts.map((a) => a.secret))];
  const tool = (name: string) => `${name} -x -H ldapi:/// -D ${shQuote(directory.rootDn)} -y "$d/LDAP_ADMIN_PASSWORD"`;
  return [
    `. ${SECRETS_FILE}`,
    'umask 077',
    'd=$(mktemp -d)',
    'trap \'rm -rf "$d"\' EXIT',
    ...['LDAP_ADMIN_PASSWORD', ...secrets].map((name) => `printf %s "$${name}" >"$d/${name}"`),
    ...accounts.flatMap((a) => {
      const dn = shQuote(userDnOf(directory, a.uid));
      return [
        `if ! ${tool('ldapsearch')} -LLL -s base -b ${dn} dn >/dev/null 2>&1; then`,
        `  sed "s|${placeholder(a.secret)}|$${a.secret}|" <<'LDIF' | ${tool('ldapadd')} >/dev/null`,
        ...accountEntry(plan, directory, a).slice(0, -1),
        'LDIF',
        'fi',
        `ldapwhoami -x -H ldapi:/// -D ${dn} -y "$d/${a.secret}" >/dev/null || { echo "${a.uid} cannot log in to the directory" >&2; exit 1; }`,
      ];
    }),
  ];
}

const rootOnly = (path: string, content: string, permissions = '0600'): WriteFile => ({ path, content, owner: 'root:root', permissions });

/** The monitoring node's part: slapd, the seed and its setup; nothing when the plan builds no directory. */
export function directorySetup(plan: StagingPlan, node: NodePlan, secretsCommand: string | undefined): RoleSetup | undefined {
  const directory = directoryOf(plan);
  if (!directory || node.role !== directory.role) return undefined;
  return {
    packages: ['openldap-servers', 'openldap-clients'],
    writeFiles: [
      rootOnly(LDAP_DATABASE_LDIF, databaseLdif(directory)),
      rootOnly(LDAP_SEED_LDIF, seedLdif(plan, directory)),
      rootOnly(LDAP_SETUP_SCRIPT, ldapSetupScript(directory, secretsCommand), '0700'),
    ],
    runcmd: [[LDAP_SETUP_SCRIPT]],
  };
}
