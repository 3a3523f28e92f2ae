/**
 * The company-directory stand-in: the monitoring node seeds an OpenLDAP with the
 * plan's suffix, units and test accounts; both sides' Keystone read it through a
 * domain-specific LDAP identity driver; placeholders only; the fidelity row and
 * the one flow (keystone -> monitoring, 389) follow the profile's kind.
 */
import { parse } from 'yaml';
import { HANDOFF_SCRIPT } from '../assets/handoff';
import { KEYSTONE_DOMAINS_DIR, LDAP_DATABASE_LDIF, LDAP_SEED_LDIF, LDAP_SETUP_SCRIPT } from '../assets/ldap';
import { renderAssets } from '../assets/render';
import { PLACEHOLDER } from '../assets/secrets';
import { buildPlan } from '../plan/plan';
import type { StagingPlan } from '../plan/types';
import type { Profile } from '../profile/schema';
import { PROFILE_NAMES, rendered, type Rendered } from './fixtures/assets';

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

  test('the plan builds it for the LDAP directory, with an operator and a user per canary project', () => {
    expect(r.profile.keystone.externalAuth?.kind).toBe('ldap');
    expect(directory).toMatchObject({ server: 'openldap', role: 'monitoring', port: 389 });
    expect(directory.accounts.map((a) => a.uid)).toEqual(['staging-operator', ...r.plan.canary.projects.map((p) => `${p}-user`)]);
  });

  test('the monitoring node installs slapd and seeds the base DN, the users and groups units and every test account', () => {
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
    expect(seed.match(/^userPassword: .*$/gm)).toEqual(
      [...Array(directory.accounts.length + 1)].map((_, i) =>
        i === 0 ? 'userPassword: {{LDAP_BIND_PASSWORD}}' : 'userPassword: {{LDAP_TEST_PASSWORD}}',
      ),
    );
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
        const domain = files[`/etc/keystone/keystone.conf.d/keystone.${directory.keystoneDomain}.conf`];
        expect(domain).toContain(
          side === 'old' ? '[identity]\ndriver = keystone.identity.backends.ldap.Identity\n' : '[identity]\ndriver = ldap\n',
        );
        expect(domain).toContain(
          `[ldap]\nurl = ldap://${monitoringIp(r.plan)}\nuser = ${directory.bindDn}\npassword = {{LDAP_BIND_PASSWORD}}\nsuffix = ${directory.suffix}\n`,
        );
        for (const line of [
          `user_tree_dn = ${directory.usersDn}`,
          `group_tree_dn = ${directory.groupsDn}`,
          'user_objectclass = inetOrgPerson',
          'user_id_attribute = uid',
          'user_allow_create = False',
          'group_objectclass = groupOfNames',
        ]) {
          expect(domain).toContain(`\n${line}\n`);
        }
        expect(files['/etc/keystone/keystone.conf.d/identity.conf']).toContain(
          `[identity]\ndomain_specific_drivers_enabled = True\ndomain_config_dir = ${KEYSTONE_DOMAINS_DIR}\n`,
        );
        const handoff = files[HANDOFF_SCRIPT];
        expect(handoff).toContain('merge_ini /etc/keystone/keystone.conf /etc/keystone/keystone.conf.d/identity.conf\n');
        expect(handoff).toContain(
          `-g keystone /etc/keystone/keystone.conf.d/keystone.${directory.keystoneDomain}.conf ${KEYSTONE_DOMAINS_DIR}/keystone.${directory.keystoneDomain}.conf\n`,
        );
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
      for (const line of a.content.split('\n').filter((l) => /^(userPassword|olcRootPW|password)\s*[:=]/.test(l)))
        expect(line).toMatch(/[:=] \{\{LDAP_[A-Z_]+_PASSWORD\}\}$/);
    }
    const used = new Set(r.assets.flatMap((a) => a.content.match(PLACEHOLDER) ?? []));
    for (const secret of ['LDAP_ADMIN_PASSWORD', 'LDAP_BIND_PASSWORD', 'LDAP_TEST_PASSWORD']) expect(used).toContain(`{{${secret}}}`);
  });

  test('the fidelity row says emulated and what the stand-in is', () => {
    const row = r.plan.fidelity.find((f) => f.component === 'keystone external auth')!;
    expect(row.verdict).toBe('emulated');
    expect(row.staging).toContain('OpenLDAP on the monitoring node');
    expect(row.staging).toContain(`${directory.accounts.length} test accounts`);
    expect(row.reason).toContain('same Keystone LDAP identity driver settings');
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
