/**
 * Secrets never appear in an asset. Assets carry placeholders (`{{NAME}}`); each
 * node fetches the real values at boot into a root-only file and fills them in.
 * Passwords are generated at deploy time, outside Terraform state, one set per
 * rehearsal: both sides use the same ones, as production keeps its passwords
 * across an upgrade.
 */

/** Root-only KEY=VALUE file a node reads its secrets from. */
export const SECRETS_FILE = '/etc/openstack-staging/secrets.env';

/** Every secret the assets refer to. Values must be letters, digits and underscores (they go through sed and URLs). */
export const SECRET_NAMES = [
  'DB_ROOT_PASSWORD',
  'KEYSTONE_ADMIN_PASSWORD',
  'KEYSTONE_DB_PASSWORD',
  'GLANCE_DB_PASSWORD',
  'GLANCE_KS_PASSWORD',
  'NOVA_DB_PASSWORD',
  'NOVA_KS_PASSWORD',
  'NEUTRON_DB_PASSWORD',
  'NEUTRON_KS_PASSWORD',
  'SWIFT_KS_PASSWORD',
  'SWIFT_HASH_SUFFIX',
  'RABBIT_PASSWORD',
  // Keystone's bootstrap token (Puppet's keystone class needs one) and Django's session signing key.
  'KEYSTONE_ADMIN_TOKEN',
  'HORIZON_SECRET_KEY',
  // The company-directory stand-in: its administrator, the read-only account Keystone binds with, the test accounts
  // (Keystone's admin, the service users and the canary user keep their own passwords there).
  'LDAP_ADMIN_PASSWORD',
  'LDAP_BIND_PASSWORD',
  'LDAP_TEST_PASSWORD',
  // The canary's user (in SQL, or in the directory stand-in), whose login the verify phases check.
  'CANARY_USER_PASSWORD',
] as const;
export type SecretName = (typeof SECRET_NAMES)[number];

/** Secrets the runbook's steps read (on the nodes, from the secrets file): no asset names them but the directory stand-in's seed. */
export const RUNBOOK_SECRETS: readonly SecretName[] = ['CANARY_USER_PASSWORD'];

/** The text standing for a secret until the node fills it in at boot. */
export const placeholder = (name: SecretName): string => `{{${name}}}`;

/** Matches any placeholder; what the boot-time fill must leave none of. */
export const PLACEHOLDER = /\{\{[A-Z0-9_]+\}\}/g;

/** Name of the SSM parameter (SecureString, KEY=VALUE lines) the AWS nodes read their secrets from. */
export const awsSecretsParameter = (rehearsalId: string): string => `/openstack-staging/${rehearsalId}/secrets`;
