/** targets/openstack/naming.ts: every cloud-side name within the rehearsal, every resource tagged with its side, role and cell. */
import { openstackNaming } from '../targets/openstack/naming';
import { planShape } from './support/shapes';

const { plan } = planShape('reference', 'openstack');
const naming = openstackNaming(plan);

test('names carry the rehearsal id, so two rehearsals in one project never collide', () => {
  expect(naming.name('edge')).toBe(`${plan.rehearsalId}-edge`);
  expect(openstackNaming({ ...plan, rehearsalId: 'other' }).name('edge')).not.toBe(naming.name('edge'));
});

test("tags say rehearsal, side, role and cell, with 'none' for what belongs to no cell", () => {
  expect(naming.tags({ side: 'old', role: 'cell-database', cell: 'cell01' })).toEqual([
    `rehearsal=${plan.rehearsalId}`,
    'side=old',
    'role=cell-database',
    'cell=cell01',
  ]);
  expect(naming.tags({ side: 'shared', role: 'monitoring' })).toContain('cell=none');
});
