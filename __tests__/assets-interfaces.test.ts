/**
 * The extra interfaces every node configures at boot: one per planned network
 * besides management, in the order the targets attach them, with the planned
 * address, no default route, and routes to the same network in the other zones; run
 * for real by sh into a scratch folder, with a stand-in `ifup`.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { extraInterfaces, ifcfg, interfacesBootcmd, routeFile } from '../assets/interfaces';
import { buildPlan } from '../plan/plan';
import { NETWORK_ROLES } from '../plan/types';
import { loadProfile } from '../profile/load';
import type { CloudName } from '../targets/config';
import { target } from './support/shapes';

describe.each<CloudName>(['aws', 'openstack'])('on %s', (cloud) => {
  const plan = buildPlan(loadProfile(), target(cloud));

  test('every node: one interface per planned network but management, eth1 on, in attachment order', () => {
    for (const node of plan.nodes) {
      const planned = NETWORK_ROLES.filter((n) => n !== 'management' && node.addresses[n] !== undefined);
      const extra = extraInterfaces(plan, node);
      expect([node.name, extra.map((i) => i.network)]).toEqual([node.name, planned]);
      expect(extra.map((i) => i.device)).toEqual(planned.map((_, i) => `eth${i + 1}`));
      for (const i of extra) {
        if (i.address) expect(i.address.ip).toBe(node.addresses[i.network]);
        const others = plan.networks.find((n) => n.role === i.network)!.subnets.filter((s) => s.zone !== node.zone);
        if (i.address) expect(i.routes.map((r) => r.cidr)).toEqual(others.map((s) => s.cidr));
      }
      if (extra.length === 0) expect(interfacesBootcmd(plan, node)).toBeUndefined();
    }
  });

  test('the tenant interface carries an address only where it is the overlay underlay', () => {
    const compute = plan.nodes.find((n) => n.role === 'compute')!;
    const tenant = extraInterfaces(plan, compute).find((i) => i.network === 'tenant')!;
    expect(tenant.address !== undefined).toBe(plan.neutron.tenantTransport === 'overlay');
  });

  test('the boot command writes exactly the files and brings each interface up', () => {
    const node = plan.nodes.find((n) => n.role === 'swift-proxy')!;
    const dir = mkdtempSync(join(tmpdir(), 'staging-ifcfg-'));
    const bin = join(dir, 'bin');
    spawnSync('mkdir', [bin]);
    writeFileSync(join(bin, 'ifup'), `#!/bin/sh\necho "$1" >> ${dir}/up.log\n`);
    chmodSync(join(bin, 'ifup'), 0o755);
    const [shell, flag, script] = interfacesBootcmd(plan, node)!;
    expect([shell, flag]).toEqual(['sh', '-c']);
    const here = script.split('/etc/sysconfig/network-scripts').join(dir);
    const run = spawnSync('sh', ['-c', here], { env: { ...process.env, PATH: `${bin}:${process.env.PATH}` }, encoding: 'utf8' });
    expect([run.status, run.stderr]).toEqual([0, '']);
    const extra = extraInterfaces(plan, node);
    for (const i of extra) {
      expect(readFileSync(join(dir, `ifcfg-${i.device}`), 'utf8')).toBe(ifcfg(i));
      const routes = routeFile(i);
      if (routes) expect(readFileSync(join(dir, `route-${i.device}`), 'utf8')).toBe(routes);
    }
    expect(readFileSync(join(dir, 'up.log'), 'utf8')).toBe(extra.map((i) => `${i.device}\n`).join(''));
    const check = spawnSync('shellcheck', ['-s', 'sh', '-'], { input: script, encoding: 'utf8' });
    expect([check.status, check.stdout]).toEqual([0, '']);
  });
});
