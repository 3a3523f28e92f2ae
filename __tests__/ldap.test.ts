/**
 * The company-directory stand-in: the monitoring node seeds an OpenLDAP with the
 * plan's suffix, units and Keystone's users; both sides' Keystone read it as the
 * default domain's identity, assignments in SQL; placeholders only; the fidelity row
 * and the one flow (keystone -> monitoring, 389) follow the profile's kind. The seed
 * and the setup script run against a real slapd.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parse } from 'yaml';
import { HANDOFF_SCRIPT } from '../assets/handoff';
import { addAccountsLines, KEYSTONE_IDENTITY_FRAGMENT, LDAP_DATABASE_LDIF, LDAP_SEED_LDIF, LDAP_SETUP_SCRIPT } from '../assets/ldap';
import { renderAssets } from '../assets/render';
import { PLACEHOLDER, SECRET_NAMES, SECRETS_FILE } from '../assets/secrets';
import { CANARY_USER } from '../plan/canary';
import { KEYSTONE_USERS } from '../plan/directory';
import { TEMPEST_DIRECTORY_ACCOUNTS } from '../plan/tempest-accounts';
import { buildPlan } from '../plan/plan';
import type { StagingPlan } from '../plan/types';
import type { Profile } from '../profile/schema';
import { PROFILE_NAMES, rendered, type Rendered } from './fixtures/assets';
import { DEBIAN_SCHEMA_DIR, startSlapd, type Slapd } from './support/slapd';

const ref = rendered('reference');

const docOf = (assets: Rendered['assets'], node: string): any =>
  parse(assets.find((a) => a.path === `nodes/${node}.cloud-init.yaml`)!.content);
const filesOf = (d: any): Record<string, string> => Object.fromEntries((d.write_files ?? []).map((f: any) => [f.path, f.content]));
const monitoringIp = (plan: StagingPlan) => plan.nodes.find((n) => n.role === 'monitoring')!.addresses.management!;

/** The reference profile with another external-auth setting, planned and rendered on the same target. */
function withAuth(externalAuth: Profile['keystone']['externalAuth']) {
  const profile: Profile = { ...ref.profile, keystone: externalAuth ? { externalAuth } : {} };
  const plan = buildPlan(profile, ref.target);
  return { plan, assets: renderAssets(plan, ref.options) };
}

describe.each(PROFILE_NAMES)('%s: the directory stand-in', (name) => {
  const r = rendered(name);
  const directory = r.plan.keystone.directory!;

  test("the plan builds it for the LDAP directory, with Keystone's admin and service users, the canary user, an operator and a member per canary project", () => {
    expect(r.profile.keystone.externalAuth?.kind).toBe('ldap');
    expect(directory).toMatchObject({ server: 'openldap', role: 'monitoring', port: 389 });
    expect(directory.accounts.map((a) => [a.uid, a.secret, a.project])).toEqual([
      ...KEYSTONE_USERS.map((u) => [u.user, u.secret, undefined]),
      [CANARY_USER, 'CANARY_USER_PASSWORD', undefined],
      ['staging-operator', 'LDAP_TEST_PASSWORD', undefined],
      ...r.plan.canary.projects.map((p) => [`${p}-user`, 'LDAP_TEST_PASSWORD', p]),
    ]);
  });

  test('the monitoring node installs slapd and seeds the base DN, the users and groups units and every account', () => {
    const d = docOf(r.assets, 'monitoring');
    const files = filesOf(d);
    expect(d.packages).toEqual(expect.arrayContaining(['openldap-servers', 'openldap-clients']));
    expect(d.runcmd[d.runcmd.length - 1]).toEqual([LDAP_SETUP_SCRIPT]);
    const seed = files[LDAP_SEED_LDIF];
    expect(seed).toContain(`dn: ${directory.suffix}\nobjectClass: dcObject`);
    expect(seed).toContain(`dn: ${directory.usersDn}\nobjectClass: organizationalUnit\nou: Users`);
    expect(seed).toContain(`dn: ${directory.groupsDn}\nobjectClass: organizationalUnit\nou: Groups`);
    for (const account of directory.accounts) {
      expect(seed).toContain(`dn: uid=${account.uid},${directory.usersDn}\nobjectClass: inetOrgPerson\nuid: ${account.uid}\n`);
      for (const group of account.groups)
        expect(seed).toMatch(new RegExp(`dn: cn=${group},${directory.groupsDn}\\n[^]*?member: uid=${account.uid},${directory.usersDn}\\n`));
    }
    expect(seed).toContain(`dn: ${directory.bindDn}\n`);
    expect(seed.match(/^userPassword: .*$/gm)).toEqual([
      'userPassword: {{LDAP_BIND_PASSWORD}}',
      ...directory.accounts.map((a) => `userPassword: {{${a.secret}}}`),
    ]);
    expect(files[LDAP_DATABASE_LDIF]).toContain(`olcSuffix: ${directory.suffix}\n`);
    expect(files[LDAP_DATABASE_LDIF]).toContain('olcRootPW: {{LDAP_ADMIN_PASSWORD}}\n');
    const script = files[LDAP_SETUP_SCRIPT];
    expect(script.startsWith('#!/bin/bash\n')).toBe(true);
    expect(script).toContain(`fill_placeholders ${LDAP_DATABASE_LDIF} ${LDAP_SEED_LDIF}`);
    expect(script).toContain(`-D ${directory.rootDn} -y "$pwfile" -f ${LDAP_SEED_LDIF}`);
    // Only the monitoring node runs it.
    expect(r.assets.filter((a) => a.path.startsWith('nodes/') && a.content.includes(LDAP_SETUP_SCRIPT)).map((a) => a.path)).toEqual([
      'nodes/monitoring.cloud-init.yaml',
    ]);
  });

  test.each(['old', 'new'] as const)(
    "every %s-side Keystone node reads the directory at the monitoring node's management address",
    (side) => {
      const keystones = r.plan.nodes.filter((n) => n.role === 'keystone' && n.side === side);
      expect(keystones.length).toBeGreaterThan(0);
      for (const node of keystones) {
        const files = filesOf(docOf(r.assets, node.name));
        const identity = files[KEYSTONE_IDENTITY_FRAGMENT];
        expect(identity).toContain(
          side === 'old'
            ? '[identity]\ndriver = keystone.identity.backends.ldap.Identity\n\n[assignment]\ndriver = keystone.assignment.backends.sql.Assignment\n'
            : '[identity]\ndriver = ldap\n\n[assignment]\ndriver = sql\n',
        );
        expect(identity).toContain(
          `[ldap]\nurl = ldap://${monitoringIp(r.plan)}\nuser = ${directory.bindDn}\npassword = {{LDAP_BIND_PASSWORD}}\nsuffix = ${directory.suffix}\n`,
        );
        for (const line of [
          `user_tree_dn = ${directory.usersDn}`,
          `group_tree_dn = ${directory.groupsDn}`,
          'user_objectclass = inetOrgPerson',
          'user_id_attribute = uid',
          'user_name_attribute = uid',
          'user_allow_create = False',
          'group_objectclass = groupOfNames',
        ]) {
          expect(identity).toContain(`\n${line}\n`);
        }
        // One backend: no domain-specific drivers (Icehouse could not use them).
        expect(Object.keys(files).filter((f) => f.startsWith('/etc/keystone/'))).toEqual([KEYSTONE_IDENTITY_FRAGMENT]);
        expect(identity).not.toContain('domain_specific_drivers_enabled');
        expect(docOf(r.assets, node.name).packages).toEqual(
          expect.arrayContaining(side === 'old' ? ['python-ldap'] : ['python-ldap', 'python-ldappool']),
        );
        const handoff = files[HANDOFF_SCRIPT];
        expect(handoff).toContain(`merge_ini /etc/keystone/keystone.conf ${KEYSTONE_IDENTITY_FRAGMENT}\n`);
        expect(handoff).toContain(side === 'old' ? 'service openstack-keystone restart' : 'service httpd restart');
        // After Puppet, so the keystone.conf Puppet wrote is what the settings land on.
        expect(handoff.indexOf('merge_ini /etc/keystone')).toBeGreaterThan(handoff.indexOf('\npuppet_apply '));
      }
    },
  );

  test('no other node carries Keystone identity settings', () => {
    for (const node of r.plan.nodes.filter((n) => n.role !== 'keystone')) {
      expect([node.name, Object.keys(filesOf(docOf(r.assets, node.name))).filter((p) => p.startsWith('/etc/keystone/'))]).toEqual([
        node.name,
        [],
      ]);
    }
  });

  test('passwords are placeholders only', () => {
    for (const a of r.assets) {
      for (const line of a.content.split('\n').filter((l) => /^(userPassword|olcRootPW|password)\s*[:=]/.test(l))) {
        const name = /[:=] \{\{([A-Z_]+)\}\}$/.exec(line)?.[1];
        expect([line, (SECRET_NAMES as readonly string[]).includes(name ?? '')]).toEqual([line, true]);
      }
    }
    const used = new Set(r.assets.flatMap((a) => a.content.match(PLACEHOLDER) ?? []));
    for (const secret of ['LDAP_ADMIN_PASSWORD', 'LDAP_BIND_PASSWORD', 'LDAP_TEST_PASSWORD']) expect(used).toContain(`{{${secret}}}`);
  });

  test('the fidelity row says emulated and what the stand-in is', () => {
    const row = r.plan.fidelity.find((f) => f.component === 'keystone external auth')!;
    expect(row.verdict).toBe('emulated');
    expect(row.staging).toContain('OpenLDAP on the monitoring node');
    expect(row.staging).toContain(`${directory.accounts.length} accounts`);
    expect(row.staging).toContain("the default domain's identity");
    expect(row.reason).toContain("Keystone's LDAP identity driver");
  });

  test('the one directory flow: keystone to monitoring on 389, across sides', () => {
    expect(r.plan.flows.filter((f) => f.ports[0] <= 389 && f.ports[1] >= 389)).toEqual([
      { from: 'keystone', to: 'monitoring', protocol: 'tcp', ports: [389, 389], purpose: expect.stringContaining('LDAP'), sameSide: false },
    ]);
  });
});

describe('profiles without an LDAP directory', () => {
  test.each([
    ['no external auth', 'kept', undefined],
    ['SAML', 'dropped', { kind: 'saml' as const, description: 'company SSO' }],
    ['Kerberos', 'dropped', { kind: 'kerberos' as const }],
  ])('%s: no stand-in, no Keystone LDAP settings, no flow; the fidelity row says %s', (_label, verdict, auth) => {
    const { plan, assets } = withAuth(auth);
    expect(plan.keystone.directory).toBeUndefined();
    const nodes = assets.filter((a) => a.path.startsWith('nodes/'));
    expect(
      nodes
        .filter((a) => /staging-ldap-setup|openldap|\/etc\/keystone\/|merge_ini \/etc\/keystone|LDAP_/.test(a.content))
        .map((a) => a.path),
    ).toEqual([]);
    expect(plan.flows.filter((f) => f.ports[0] === 389)).toEqual([]);
    const row = plan.fidelity.find((f) => f.component === 'keystone external auth')!;
    expect(row.verdict).toBe(verdict);
    if (auth) {
      expect(row.production).toContain(auth.kind);
      expect(row.reason).toContain(`no ${auth.kind} stand-in is built`);
    }
  });
});

describe("the monitoring node's setup script against a real slapd", () => {
  const directory = ref.plan.keystone.directory!;
  const files = filesOf(docOf(ref.assets, 'monitoring'));
  // Values of the secrets file's form (letters, digits, underscores), one per secret.
  const secrets = Object.fromEntries(SECRET_NAMES.map((name, i) => [name, `v${i}_${name.toLowerCase().slice(0, 6)}`]));
  let slapd: Slapd;
  let root: string;
  let run: (extraPath?: string) => ReturnType<typeof spawnSync>;
  let onNode: (text: string) => string;
  const ldap = (tool: string, args: string[]) => spawnSync(tool, ['-x', '-H', slapd.uri, ...args], { encoding: 'utf8' });
  const userDn = (uid: string) => `uid=${uid},${directory.usersDn}`;

  beforeAll(() => {
    slapd = startSlapd();
    root = join(slapd.dir, 'node');
    // The node's paths under a folder of the test, EL's schema folder as Debian has it, the local socket the test's.
    onNode = (text: string) =>
      text
        .replaceAll('/etc/openstack-staging', `${root}/etc/openstack-staging`)
        .replaceAll('/var/lib/openstack-staging', `${root}/var/lib/openstack-staging`)
        .replaceAll('/etc/openldap/schema/', `${DEBIAN_SCHEMA_DIR}/`)
        .replaceAll('ldapi:///', slapd.uri);
    for (const path of [LDAP_DATABASE_LDIF, LDAP_SEED_LDIF, LDAP_SETUP_SCRIPT]) {
      mkdirSync(dirname(onNode(path)), { recursive: true });
      writeFileSync(onNode(path), onNode(files[path]), { mode: 0o600 });
    }
    writeFileSync(
      onNode(SECRETS_FILE),
      Object.entries(secrets)
        .map(([k, v]) => `${k}=${v}\n`)
        .join(''),
      { mode: 0o600 },
    );
    // slapd already runs: the service manager has nothing to do.
    const bin = join(slapd.dir, 'bin');
    mkdirSync(bin);
    writeFileSync(join(bin, 'systemctl'), '#!/bin/sh\nexit 0\n', { mode: 0o755 });
    run = () =>
      spawnSync('bash', [onNode(LDAP_SETUP_SCRIPT)], { encoding: 'utf8', env: { ...process.env, PATH: `${bin}:${process.env.PATH}` } });
  });
  afterAll(() => slapd?.stop());

  test('it seeds once, and a second run leaves the directory as it is', () => {
    const first = run();
    expect([first.status, first.stderr]).toEqual([
      0,
      expect.stringContaining(`seeded ${directory.suffix}: ${directory.accounts.length} accounts`),
    ]);
    const again = run();
    expect([again.status, again.stderr]).toEqual([0, expect.stringContaining('already seeded')]);
  });

  test('every account logs in with its own secret, and with no other', () => {
    for (const account of directory.accounts) {
      const ok = ldap('ldapwhoami', ['-D', userDn(account.uid), '-w', secrets[account.secret]]);
      expect([account.uid, ok.status, ok.stdout.trim()]).toEqual([account.uid, 0, `dn:${userDn(account.uid)}`]);
      const wrong = ldap('ldapwhoami', ['-D', userDn(account.uid), '-w', secrets.LDAP_BIND_PASSWORD]);
      expect([account.uid, wrong.status]).toEqual([account.uid, 49]); // invalidCredentials
    }
  });

  test("Keystone's bind account reads the users and groups as its driver asks for them, but no password", () => {
    const bind = ['-D', directory.bindDn, '-w', secrets.LDAP_BIND_PASSWORD];
    // keystone/common/ldap/core.py: one level under the tree, filtered by the object class, keyed by the id attribute.
    const underUsers = (filter: string, ...attributes: string[]) =>
      ldap('ldapsearch', [...bind, '-LLL', '-b', directory.usersDn, '-s', 'one', filter, ...attributes]);
    const users = underUsers('(objectClass=inetOrgPerson)', 'uid', 'mail', 'userPassword');
    expect(users.status).toBe(0);
    expect(users.stdout.match(/^uid: .*$/gm)!.sort()).toEqual(directory.accounts.map((a) => `uid: ${a.uid}`).sort());
    expect(users.stdout).not.toContain('userPassword');
    const one = underUsers(`(&(objectClass=inetOrgPerson)(uid=${CANARY_USER}))`, 'dn');
    expect(one.stdout.trim()).toBe(`dn: ${userDn(CANARY_USER)}`);
    const groups = ldap('ldapsearch', [
      ...bind,
      '-LLL',
      '-o',
      'ldif-wrap=no',
      '-b',
      directory.groupsDn,
      '-s',
      'one',
      '(objectClass=groupOfNames)',
      'cn',
      'member',
    ]);
    for (const group of directory.groups) {
      const members = directory.accounts.filter((a) => a.groups.includes(group.name)).map((a) => `member: ${userDn(a.uid)}`);
      expect(groups.stdout).toContain([`cn: ${group.name}`, ...members].join('\n'));
    }
  });

  test("anonymous sessions read nothing; a user reads no one else's password", () => {
    const anonymous = ldap('ldapsearch', ['-LLL', '-b', directory.suffix, '(objectClass=*)', 'dn']);
    expect(anonymous.stdout).not.toContain('dn:');
    const nova = ldap('ldapsearch', [
      '-D',
      userDn('nova'),
      '-w',
      secrets.NOVA_KS_PASSWORD,
      '-LLL',
      '-b',
      directory.usersDn,
      '(uid=admin)',
      'userPassword',
    ]);
    expect(nova.status).toBe(0);
    expect(nova.stdout).not.toContain('userPassword');
  });
  test("Tempest's accounts are added after boot, once, and each logs in with the test accounts' secret; a refused add stops the step", () => {
    const lines = addAccountsLines(ref.plan, TEMPEST_DIRECTORY_ACCOUNTS);
    const script = onNode(['set -euo pipefail', ...lines].join('\n'));
    const add = () => spawnSync('bash', ['-c', script], { encoding: 'utf8' });
    for (const round of [1, 2]) {
      const r = add();
      expect([round, r.status, r.stderr]).toEqual([round, 0, '']);
    }
    for (const account of TEMPEST_DIRECTORY_ACCOUNTS) {
      const ok = ldap('ldapwhoami', ['-D', userDn(account.uid), '-w', secrets.LDAP_TEST_PASSWORD]);
      expect([account.uid, ok.status]).toEqual([account.uid, 0]);
    }
    // Keystone's driver lists them with the rest (one level under the users' tree).
    const listed = ldap('ldapsearch', [
      '-D',
      directory.bindDn,
      '-w',
      secrets.LDAP_BIND_PASSWORD,
      '-LLL',
      '-b',
      directory.usersDn,
      '-s',
      'one',
      '(objectClass=inetOrgPerson)',
      'uid',
    ]);
    expect(listed.stdout).toContain(`uid: ${TEMPEST_DIRECTORY_ACCOUNTS[0].uid}`);
    // With the administrator's password wrong, nothing is added and the step fails.
    const missing = { ...TEMPEST_DIRECTORY_ACCOUNTS[0], uid: 'tempest-extra' };
    const wrongSecrets = join(slapd.dir, 'wrong-secrets.env');
    writeFileSync(
      wrongSecrets,
      readFileSync(onNode(SECRETS_FILE), 'utf8').replace(/^LDAP_ADMIN_PASSWORD=.*$/m, 'LDAP_ADMIN_PASSWORD=wrong'),
    );
    const refusedScript = onNode(['set -euo pipefail', ...addAccountsLines(ref.plan, [missing])].join('\n')).replace(
      onNode(SECRETS_FILE),
      wrongSecrets,
    );
    const refused = spawnSync('bash', ['-c', refusedScript], { encoding: 'utf8' });
    expect([refused.status, refused.stderr]).toEqual([49, expect.stringContaining('Invalid credentials (49)')]);
    expect(ldap('ldapwhoami', ['-D', userDn('tempest-extra'), '-w', secrets.LDAP_TEST_PASSWORD]).status).toBe(49);
  });
});
