/**
 * Tempest's pre-provisioned accounts, for a staging whose Keystone reads the directory
 * stand-in. That identity is read-only (assets/ldap.ts), so Tempest's dynamic
 * credentials, which create a user and a project for each test class, cannot work
 * there: Keystone refuses the user (keystone 2014.1 identity/backends/ldap.py
 * `create_user` → `check_allow_create`). Tempest 5 and 13.0.0 both take a
 * `test_accounts_file` instead (tempest/common/accounts.py at 5, preprov_creds.py at
 * 13.0.0): a test class locks an account while it runs, and asks for one by type
 * (`admin`, `operator`, `reseller_admin`, the roles of [identity] admin_role and
 * [object-storage] operator_role / reseller_admin_role). An admin account is handed out
 * only to a class that asks for the admin role, and an account that is taken makes the
 * asking class fail at once ("Insufficient number of users provided"), so the file holds
 * two accounts per worker (etc/accounts.yaml.sample at both tags), one admin per worker
 * and two Swift reseller accounts (AccountQuotasTest asks for one beside its operator).
 * Each account has a project of its own, as the sample asks, for isolation between workers.
 * The accounts are added to the stand-in by the rehearsal's seed, not at boot: the
 * monitoring node's user data must stay within AWS's 16 KiB.
 */
import { MEMBER_ROLE, SWIFT_OPERATOR_ROLE, SWIFT_RESELLER_ROLE } from './canary';
import type { DirectoryAccount } from './types';

/** Test workers of a Tempest run (testr and `tempest run` `--concurrency`). */
export const TEMPEST_WORKERS = 4;

/** The credential types Tempest asks an accounts file for. */
export type TempestAccountType = 'operator' | 'admin' | 'reseller_admin';

/** The roles each type holds in its own project. */
export const TEMPEST_ACCOUNT_ROLES: Readonly<Record<TempestAccountType, readonly string[]>> = {
  operator: [MEMBER_ROLE, SWIFT_OPERATOR_ROLE],
  admin: ['admin'],
  reseller_admin: [MEMBER_ROLE, SWIFT_RESELLER_ROLE],
};

export interface TempestAccount {
  /** The directory uid: Keystone's user id and name. */
  readonly user: string;
  /** Its own project, created by the seed. */
  readonly project: string;
  readonly type: TempestAccountType;
}

const COUNTS: Readonly<Record<TempestAccountType, number>> = {
  operator: 2 * TEMPEST_WORKERS,
  admin: TEMPEST_WORKERS,
  reseller_admin: 2,
};

const PREFIX: Readonly<Record<TempestAccountType, string>> = {
  operator: 'tempest',
  admin: 'tempest-admin',
  reseller_admin: 'tempest-reseller',
};

export const TEMPEST_ACCOUNTS: readonly TempestAccount[] = (Object.keys(COUNTS) as TempestAccountType[]).flatMap((type) =>
  Array.from({ length: COUNTS[type] }, (_, i) => ({ user: `${PREFIX[type]}-${i + 1}`, project: `${PREFIX[type]}-${i + 1}`, type })),
);

/** The accounts as users of the directory stand-in, all with the test accounts' secret. */
export const TEMPEST_DIRECTORY_ACCOUNTS: readonly DirectoryAccount[] = TEMPEST_ACCOUNTS.map(({ user, type }) => ({
  uid: user,
  groups: [],
  purpose: `a pre-provisioned Tempest account (${type})`,
  secret: 'LDAP_TEST_PASSWORD',
}));
