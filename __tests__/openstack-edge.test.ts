/** targets/openstack/edge.ts: the Octavia load balancer, its floating IP, a listener per API, a pool per API and side. */
import { buildPlan } from '../plan/plan';
import { SIDES } from '../plan/types';
import { loadProfile } from '../profile/load';
import type { OpenstackTargetConfig } from '../targets/config';
import { target } from './support/shapes';
import { resources, synthesize } from './support/synth';
import { expectOnlyListenersMove } from './support/switch';
import { stacks as referenceStacks, profile as referenceProfile } from './support/openstack';

const config = target('openstack');
const plan = buildPlan(loadProfile(), config);
const edge = synthesize(plan, config).stacks.edge;
const of = (type: string) => resources(edge, type) as Record<string, any>;

test('a TCP listener per public API, answering the admin CIDRs only, its pool chosen by the active_side variable', () => {
  const listeners = Object.values(of('openstack_lb_listener_v2'));
  expect(listeners.map((l) => l.protocol_port).sort((a, b) => a - b)).toEqual(plan.apis.map((a) => a.port).sort((a, b) => a - b));
  for (const l of listeners) {
    expect(l).toMatchObject({ protocol: 'TCP', allowed_cidrs: config.adminCidrs });
    expect(l.default_pool_id).toMatch(/var\.active_side/);
  }
});

test("a pool per API and side, with a member per node of that side's role and an HTTP monitor on the API's health path", () => {
  const pools = of('openstack_lb_pool_v2');
  expect(Object.keys(pools)).toHaveLength(plan.apis.length * SIDES.length);
  const monitors = of('openstack_lb_monitor_v2');
  const members = of('openstack_lb_member_v2');
  for (const api of plan.apis) {
    for (const side of SIDES) {
      expect(monitors[`monitor-${side}-${api.name}`]).toMatchObject({ type: 'HTTP', url_path: api.healthPath });
      const nodes = plan.nodes.filter((n) => n.role === api.role && n.side === side);
      const ours = Object.entries(members).filter(([id]) => id.startsWith(`pool-${side}-${api.name}-`));
      expect(ours.map(([, m]) => m.address).sort()).toEqual(nodes.map((n) => n.addresses.api).sort());
      expect(ours.every(([, m]) => m.protocol_port === api.port)).toBe(true);
    }
  }
});

test('the VIP sits on the private API network, reached through one floating IP of the external network', () => {
  const [lb] = Object.values(of('openstack_lb_loadbalancer_v2'));
  expect(lb.vip_subnet_id).toMatch(/subnet/);
  const [fip] = Object.values(of('openstack_networking_floatingip_v2'));
  expect(fip.pool).toBe((config as OpenstackTargetConfig).externalNetwork);
  expect(Object.keys(of('openstack_networking_floatingip_associate_v2'))).toEqual(['edge-ip-vip']);
});

test('the active-side switch changes only the listeners of the edge stack', () => {
  const switched = synthesize(buildPlan(referenceProfile, { ...config, activeSide: 'new' }), config).stacks;
  expectOnlyListenersMove(referenceStacks, switched, {
    type: 'openstack_lb_listener_v2',
    target: (listener) => listener.default_pool_id,
    group: (side, api) => `openstack_lb_pool_v2.pool-${side}-${api}.id`,
  });
});
