/**
 * The company-wide directory Keystone is tied to, as the staging emulates it: for an
 * LDAP directory, an OpenLDAP stand-in on the shared monitoring node (it serves both
 * sides and runs for the whole rehearsal), seeded with test accounts. Keystone reads
 * it through a domain-specific identity driver, so the service users and the admin
 * Packstack creates stay in SQL (a single LDAP identity backend would hide them).
 * Other kinds (SAML, Kerberos, ...) get no stand-in.
 */
import type { Profile } from '../profile/schema';
import { CANARY_PROJECTS } from './canary';

export interface DirectoryAccount {
  readonly uid: string;
  readonly groups: readonly string[];
  readonly purpose: string;
}

export interface DirectoryPlan {
  readonly server: 'openldap';
  /** Role of the node that runs it. */
  readonly role: 'monitoring';
  readonly port: 389;
  readonly suffix: string;
  readonly rootDn: string;
  readonly usersDn: string;
  readonly groupsDn: string;
  readonly servicesDn: string;
  /** Read-only account Keystone binds with. */
  readonly bindDn: string;
  /** Keystone domain whose identity the directory provides. */
  readonly keystoneDomain: string;
  readonly groups: readonly { readonly name: string; readonly description: string }[];
  readonly accounts: readonly DirectoryAccount[];
}

export interface KeystonePlan {
  /** Production's company-wide identity backend, if any. */
  readonly externalAuth?: { readonly kind: 'ldap' | 'saml' | 'kerberos' | 'other'; readonly description?: string };
  /** The stand-in the staging builds for it; none for kinds without one. */
  readonly directory?: DirectoryPlan;
}

/** Keystone domain served by the directory (assumption: production's name is not known). */
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
