import { spawnSync } from 'node:child_process';
import { loadProfile } from '../profile/load';
import { buildPlan } from '../plan/plan';
import { assetOptionsFor } from '../assets/options';
import { userDataParts } from '../assets/user-data-limit';
import { AWS_USER_DATA_LIMIT } from '../targets/aws/facts';
import { addressRanges, expandRanges, overlayBootcmd, overlayPeerRanges, overlayPeers } from '../assets/tenant-network';
import { classesOf } from '../assets/puppet';
import type { NodePlan, StagingPlan } from '../plan/types';

/** The parameters of a class the node's role manifest declares. */
const paramsOf = (plan: StagingPlan, node: NodePlan, name: string) => classesOf(plan, node).find((c) => c.name === name)?.params;
/** The interface the node's OVS agent bridges production's VLANs to. */
const uplinkOf = (plan: StagingPlan, node: NodePlan) => paramsOf(plan, node, 'neutron::agents::ml2::ovs')?.bridge_uplinks;
import { DEPLOY_TIME_SLACK } from '../stacks/user-data';
import { target } from './support/shapes';

const profile = loadProfile();

describe('on AWS instances the tenant VLANs ride a VXLAN mesh', () => {
  const plan = buildPlan(profile, target('aws', { placement: 'instances' }));
  const tenantNodes = plan.nodes.filter((n) => n.addresses.tenant);
  const compute = plan.nodes.find((n) => n.role === 'compute')!;
  const neutron = plan.nodes.find((n) => n.role === 'neutron-server' && n.side === 'new')!;

  test('compute nodes replicate to every other tenant node, neutron servers to compute nodes only', () => {
    expect(plan.neutron.tenantTransport).toBe('overlay');
    expect(overlayPeers(plan, compute).sort()).toEqual(
      tenantNodes
        .filter((n) => n !== compute)
        .map((n) => n.addresses.tenant!)
        .sort(),
    );
    expect(overlayPeers(plan, neutron).sort()).toEqual(
      tenantNodes
        .filter((n) => n.role === 'compute')
        .map((n) => n.addresses.tenant!)
        .sort(),
    );
  });

  test('the overlay is built at every boot from the node own tenant address, and passes shellcheck', () => {
    const [, , script] = overlayBootcmd(plan, compute)!;
    expect(script).toContain(`local ${compute.addresses.tenant}`);
    expect(script).toContain('dstport 4789');
    const check = spawnSync('shellcheck', ['-s', 'sh', '-'], { input: `#!/bin/sh\n${script}\n`, encoding: 'utf8' });
    expect([check.status, check.stdout]).toEqual([0, '']);
    expect(
      overlayBootcmd(
        plan,
        plan.nodes.find((n) => n.role === 'keystone')!,
      ),
    ).toBeUndefined();
  });

  test('the boot script lists the peers as address ranges, which awk expands back to every peer', () => {
    const full = buildPlan(profile, target('aws', { placement: 'instances', scale: 1, budgetPerHour: 100000 }));
    const computes = full.nodes.filter((n) => n.role === 'compute');
    for (const node of [compute, neutron, computes[0], computes[200], full.nodes.find((n) => n.role === 'neutron-server')!]) {
      const p = node === compute || node === neutron ? plan : full;
      const [, , script] = overlayBootcmd(p, node)!;
      const ranges = overlayPeerRanges(p, node);
      expect(ranges).toEqual(addressRanges(overlayPeers(p, node)));
      expect(script).toContain(expandRanges(ranges));
      const expanded = spawnSync('sh', ['-c', expandRanges(ranges)], { encoding: 'utf8' });
      expect(expanded.stdout.trim().split('\n').sort()).toEqual(overlayPeers(p, node).sort());
    }
    // A one-to-one clone's 360 compute peers fit in a few ranges.
    expect(addressRanges(overlayPeers(full, computes[0])).length).toBeLessThan(20);
  });

  test('address ranges join consecutive addresses across octets, single addresses stay alone', () => {
    expect(addressRanges(['10.0.0.5', '10.0.0.3', '10.0.0.4', '10.0.0.9', '10.0.1.255', '10.0.2.0', '192.168.255.254'])).toEqual([
      '10.0.0.3-10.0.0.5',
      '10.0.0.9',
      '10.0.1.255-10.0.2.0',
      '192.168.255.254',
    ]);
    expect(addressRanges([])).toEqual([]);
  });

  test("the OVS agent bridges production's VLAN ranges to the overlay; the server's ML2 allocates from them", () => {
    const neutron = plan.nodes.find((n) => n.role === 'neutron-server')!;
    expect(paramsOf(plan, neutron, 'neutron::plugins::ml2')?.network_vlan_ranges).toEqual(['physnet1:1000:2999']);
    expect(paramsOf(plan, compute, 'neutron::agents::ml2::ovs')).toEqual(
      expect.objectContaining({ bridge_mappings: ['physnet1:br-vlan'], bridge_uplinks: ['br-vlan:vxlan-tenant'] }),
    );
    expect(
      uplinkOf(
        plan,
        plan.nodes.find((n) => n.role === 'glance')!,
      ),
    ).toBeUndefined();
  });

  test('a one-to-one clone still fits every compute node user data in 16 KiB', () => {
    const full = buildPlan(profile, target('aws', { placement: 'instances', scale: 1, budgetPerHour: 100000 }));
    const options = assetOptionsFor(full, target('aws'));
    const computes = full.nodes.filter((n) => n.role === 'compute');
    expect(computes).toHaveLength(360);
    for (const node of [computes[0], computes[359]]) {
      const parts = userDataParts(full, node, options);
      expect(parts.bucketObjects).toEqual([]);
      expect(Buffer.byteLength(parts.inline)).toBeLessThanOrEqual(AWS_USER_DATA_LIMIT - DEPLOY_TIME_SLACK);
    }
  });
});

test('on an OpenStack cloud the tenant NIC carries the tags itself', () => {
  const plan = buildPlan(profile, target('openstack'));
  const compute = plan.nodes.find((n) => n.role === 'compute')!;
  const neutron = plan.nodes.find((n) => n.role === 'neutron-server')!;
  expect(plan.neutron.tenantTransport).toBe('native');
  expect(overlayBootcmd(plan, compute)).toBeUndefined();
  expect(uplinkOf(plan, compute)).toEqual(['br-vlan:eth1']);
  expect(uplinkOf(plan, neutron)).toEqual(['br-vlan:eth2']);
});

test("KVM guests' tenant NIC carries the tags itself, onto their host's trunk (no overlay of their own)", () => {
  const plan = buildPlan(profile, target('aws'));
  expect(plan.placement.kind).toBe('hypervisors');
  const compute = plan.nodes.find((n) => n.role === 'compute')!;
  expect(plan.neutron.tenantTransport).toBe('native');
  expect(overlayBootcmd(plan, compute)).toBeUndefined();
  expect(uplinkOf(plan, compute)).toEqual(['br-vlan:eth1']);
});
