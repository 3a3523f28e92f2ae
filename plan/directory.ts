/**
 * The company-wide directory Keystone is tied to, as the staging emulates it: for an
 * LDAP directory, an OpenLDAP stand-in on the shared monitoring node (it serves both
 * sides and runs for the whole rehearsal). Keystone reads it as its one identity
 * backend, as production does: the default domain's users are the directory's, with
 * the LDAP uid as both their id and their name, and role assignments stay in SQL.
 *
 * A domain-specific LDAP driver would keep the service users in SQL, but Icehouse cannot
 * use one: keystone 2014.1 `identity/core.py` Manager resolves a user without a domain
 * scope through the default driver only, so such a user can be neither granted a role
 * nor given a token. So every user the staging needs is in the directory: Keystone's
 * admin, the service users (with the passwords the services are configured with), the
 * canary's user and the test accounts.
 *
 * Kilo and Liberty keep the default domain's LDAP ids as they are (`[identity_mapping]
 * backward_compatible_ids`, True by default: keystone 8.0.0 identity/core.py), so the
 * assignments made on Icehouse still match after the upgrade: nothing to migrate.
 * Other kinds (SAML, Kerberos, ...) get no stand-in.
 */
import type { SecretName } from '../assets/secrets';
import type { Profile } from '../profile/schema';
import { CANARY_PROJECTS, CANARY_USER } from './canary';
import type { DirectoryAccount, DirectoryPlan, KeystonePlan } from './types';

export type { DirectoryAccount, DirectoryPlan, KeystonePlan };

/** Project of the service users, as Packstack and the Puppet modules name it. */
export const SERVICES_PROJECT = 'services';

/**
 * Keystone's admin and the service users, each with the secret holding its staging password
 * and the role it needs where (assumption: production kept Packstack's names).
 */
export const KEYSTONE_USERS: readonly { user: string; secret: SecretName; project: string; role: string }[] = [
  { user: 'admin', secret: 'KEYSTONE_ADMIN_PASSWORD', project: 'admin', role: 'admin' },
  { user: 'nova', secret: 'NOVA_KS_PASSWORD', project: SERVICES_PROJECT, role: 'admin' },
  { user: 'glance', secret: 'GLANCE_KS_PASSWORD', project: SERVICES_PROJECT, role: 'admin' },
  { user: 'neutron', secret: 'NEUTRON_KS_PASSWORD', project: SERVICES_PROJECT, role: 'admin' },
  { user: 'swift', secret: 'SWIFT_KS_PASSWORD', project: SERVICES_PROJECT, role: 'admin' },
];

/** The test account of a canary project: a member of that project only. */
export const projectUser = (project: string): string => `${project}-user`;

export function keystonePlan(profile: Pick<Profile, 'name' | 'keystone'>): KeystonePlan {
  const externalAuth = profile.keystone.externalAuth;
  if (!externalAuth) return {};
  if (externalAuth.kind !== 'ldap') return { externalAuth };
  const suffix = `dc=${profile.name},dc=staging`;
  const users = `ou=Users,${suffix}`;
  const groups = [
    { name: 'operators', description: 'operators who run the rehearsal' },
    { name: SERVICES_PROJECT, description: "the OpenStack services' own accounts" },
    ...CANARY_PROJECTS.map((project) => ({ name: project, description: `members of the canary project ${project}` })),
  ];
  const accounts: DirectoryAccount[] = [
    ...KEYSTONE_USERS.map(({ user, secret }) => ({
      uid: user,
      groups: user === 'admin' ? ['operators'] : [SERVICES_PROJECT],
      purpose: user === 'admin' ? "Keystone's administrator" : `the ${user} service`,
      secret,
    })),
    {
      uid: CANARY_USER,
      groups: [...CANARY_PROJECTS],
      purpose: "the canary's tenant in every canary project",
      secret: 'CANARY_USER_PASSWORD',
    },
    { uid: 'staging-operator', groups: ['operators'], purpose: 'an operator account', secret: 'LDAP_TEST_PASSWORD' },
    ...CANARY_PROJECTS.map((project) => ({
      uid: projectUser(project),
      groups: [project],
      purpose: `a member of the canary project ${project}`,
      secret: 'LDAP_TEST_PASSWORD' as const,
      project,
    })),
  ];
  return {
    externalAuth,
    directory: {
      server: 'openldap',
      role: 'monitoring',
      port: 389,
      suffix,
      rootDn: `cn=admin,${suffix}`,
      usersDn: users,
      groupsDn: `ou=Groups,${suffix}`,
      servicesDn: `ou=Services,${suffix}`,
      bindDn: `uid=keystone,ou=Services,${suffix}`,
      groups,
      accounts,
    },
  };
}
