/**
 * What each project's database migrations can carry, per release: the oldest
 * schema its migration repository can start from and the schema it ends at.
 * A hop A -> B is possible for a project when B's repository still holds every
 * migration after A's last one (A's last >= B's first). Read from each
 * release's own tree:
 * - nova: nova/db/sqlalchemy/migrate_repo/versions at 2013.2, 2014.1, 2014.2,
 *   2015.1.0, 12.0.0, 13.0.0, 14.0.0 (from 2014.1 on it starts at 216_havana.py);
 * - keystone: keystone/common/sql/migrate_repo/versions at 2013.2 … 10.0.0
 *   (compacted to 034_havana.py in Juno, 044_icehouse.py in Kilo, 067_kilo.py in Mitaka);
 * - glance: glance/db/sqlalchemy/migrate_repo/versions (never compacted: 001 at every tag);
 * - neutron: alembic, neutron/db/migration/alembic_migrations/versions: the root
 *   revision at each tag (folsom_initial.py, havana_initial.py, juno_initial.py,
 *   kilo_initial.py) names the oldest release schema it upgrades; numbered here by
 *   release order.
 */
import { RELEASES, type Release } from './schema';

export type Project = 'nova' | 'keystone' | 'glance' | 'neutron';

interface Repository {
  /** The oldest schema version the release's repository upgrades from. */
  readonly first: number;
  /** The schema version the release ends at. */
  readonly last: number;
  /** Where that first version is defined, for the error message. */
  readonly firstFile: string;
}

const order = (r: Release): number => RELEASES.indexOf(r);

/** Neutron's alembic history by release: its root's release, and the release itself as its end. */
const neutron = (root: Release | 'folsom', own: Release, file: string): Repository => ({
  first: root === 'folsom' ? order('havana') - 1 : order(root),
  last: order(own),
  firstFile: `neutron/db/migration/alembic_migrations/versions/${file}`,
});

const NOVA = 'nova/db/sqlalchemy/migrate_repo/versions/';
const KEYSTONE = 'keystone/common/sql/migrate_repo/versions/';
const GLANCE = 'glance/db/sqlalchemy/migrate_repo/versions/001_add_images_table.py';

export const MIGRATIONS: Record<Project, Record<Release, Repository>> = {
  nova: {
    havana: { first: 133, last: 216, firstFile: `${NOVA}133_folsom.py` },
    icehouse: { first: 216, last: 233, firstFile: `${NOVA}216_havana.py` },
    juno: { first: 216, last: 254, firstFile: `${NOVA}216_havana.py` },
    kilo: { first: 216, last: 280, firstFile: `${NOVA}216_havana.py` },
    liberty: { first: 216, last: 302, firstFile: `${NOVA}216_havana.py` },
    mitaka: { first: 216, last: 319, firstFile: `${NOVA}216_havana.py` },
    newton: { first: 216, last: 334, firstFile: `${NOVA}216_havana.py` },
  },
  keystone: {
    havana: { first: 1, last: 34, firstFile: `${KEYSTONE}001_add_initial_tables.py` },
    icehouse: { first: 1, last: 44, firstFile: `${KEYSTONE}001_add_initial_tables.py` },
    juno: { first: 34, last: 55, firstFile: `${KEYSTONE}034_havana.py` },
    kilo: { first: 44, last: 67, firstFile: `${KEYSTONE}044_icehouse.py` },
    liberty: { first: 44, last: 75, firstFile: `${KEYSTONE}044_icehouse.py` },
    mitaka: { first: 67, last: 96, firstFile: `${KEYSTONE}067_kilo.py` },
    newton: { first: 67, last: 109, firstFile: `${KEYSTONE}067_kilo.py` },
  },
  glance: {
    havana: { first: 1, last: 29, firstFile: GLANCE },
    icehouse: { first: 1, last: 34, firstFile: GLANCE },
    juno: { first: 1, last: 36, firstFile: GLANCE },
    kilo: { first: 1, last: 41, firstFile: GLANCE },
    liberty: { first: 1, last: 42, firstFile: GLANCE },
    mitaka: { first: 1, last: 44, firstFile: GLANCE },
    newton: { first: 1, last: 44, firstFile: GLANCE },
  },
  neutron: {
    havana: neutron('folsom', 'havana', 'folsom_initial.py'),
    icehouse: neutron('folsom', 'icehouse', 'folsom_initial.py'),
    juno: neutron('havana', 'juno', 'havana_initial.py'),
    kilo: neutron('havana', 'kilo', 'havana_initial.py'),
    liberty: neutron('juno', 'liberty', 'juno_initial.py'),
    mitaka: neutron('kilo', 'mitaka', 'kilo_initial.py'),
    newton: neutron('kilo', 'newton', 'kilo_initial.py'),
  },
};

/** Why `to`'s migrations cannot upgrade `from`'s databases directly, per project that cannot; empty when every project can. */
export function hopProblems(from: Release, to: Release): string[] {
  return (Object.keys(MIGRATIONS) as Project[]).flatMap((project) => {
    const [a, b] = [MIGRATIONS[project][from], MIGRATIONS[project][to]];
    return a.last >= b.first ? [] : [`${project}'s ${to} migrations cannot upgrade ${from}'s schema: they start at ${b.firstFile}`];
  });
}
