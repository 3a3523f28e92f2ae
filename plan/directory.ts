/**
 * The company-wide directory Keystone is tied to, as the staging emulates it: for an
 * LDAP directory, an OpenLDAP stand-in on the shared monitoring node (it serves both
 * sides and runs for the whole rehearsal), seeded with test accounts. Keystone reads
 * it through a domain-specific identity driver, so the service users and the admin
 * the Keystone node's manifest creates stay in SQL (a single LDAP identity backend would hide them).
 * Other kinds (SAML, Kerberos, ...) get no stand-in.
 */
import type { Profile } from '../profile/schema';
import { CANARY_PROJECTS } from './canary';
import type { DirectoryAccount, DirectoryPlan, KeystonePlan } from './types';

export type { DirectoryAccount, DirectoryPlan, KeystonePlan };

export const DIRECTORY_DOMAIN = 'directory';

export function keystonePlan(profile: Pick<Profile, 'name' | 'keystone'>): KeystonePlan {
  const externalAuth = profile.keystone.externalAuth;
  if (!externalAuth) return {};
  if (externalAuth.kind !== 'ldap') return { externalAuth };
  const suffix = `dc=${profile.name},dc=staging`;
  const users = `ou=Users,${suffix}`;
  const groups = [
    { name: 'operators', description: 'operators who run the rehearsal' },
    ...CANARY_PROJECTS.map((project) => ({ name: project, description: `members of the canary project ${project}` })),
  ];
  const accounts: DirectoryAccount[] = [
    { uid: 'staging-operator', groups: ['operators'], purpose: 'an operator account' },
    ...CANARY_PROJECTS.map((project) => ({
      uid: `${project}-user`,
      groups: [project],
      purpose: `a user of the canary project ${project}`,
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
      keystoneDomain: DIRECTORY_DOMAIN,
      groups,
      accounts,
    },
  };
}
