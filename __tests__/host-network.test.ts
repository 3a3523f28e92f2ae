/**
 * The hypervisor hosts' network, run for real: two hosts and a cloud network as
 * network namespaces this test makes (and always removes), guests as namespaces
 * on the hosts' bridges, as libvirt would attach them after the host script ran.
 * Needs root, iproute2, ping (Debian's iputils-ping) and python3 (raw 802.1Q frames).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hostFirewall } from '../assets/host-firewall';
import { hostNetworkScript, type HostNetwork } from '../assets/host-network';
import { BRIDGE_OF } from '../assets/libvirt';
import { buildPlan } from '../plan/plan';
import { securityRules } from '../plan/security';
import type { NetworkRole } from '../plan/types';
import { loadProfile } from '../profile/load';
import { commands } from './support/commands';
import { target } from './support/shapes';

const ROLES: readonly NetworkRole[] = ['management', 'api', 'storage', 'tenant'];
const SUBNET: Record<NetworkRole, string> = { management: '10.99.1', api: '10.99.2', storage: '10.99.3', tenant: '10.99.4' };
const tag = `t${process.pid}`;
const ns = (name: string) => `${tag}-${name}`;

// Each denied probe waits out its timeout, and namespaces start slowly on a busy machine.
jest.setTimeout(60_000);

const { run, must } = commands();
const inNs = (name: string, ...args: string[]) => must('ip', 'netns', 'exec', ns(name), ...args);
const pings = (from: string, address: string) => run('ip', ['netns', 'exec', ns(from), 'ping', '-c', '1', '-W', '2', address]).status === 0;

interface Guest {
  readonly name: string;
  readonly host: 'a' | 'b';
  readonly last: number;
  /** The security group of the planned node the guest stands for. */
  readonly group: string;
}
const GUESTS: readonly Guest[] = [
  { name: 'a1', host: 'a', last: 21, group: 'old-keystone' },
  { name: 'a2', host: 'a', last: 22, group: 'old-database' },
  { name: 'b1', host: 'b', last: 31, group: 'new-keystone' },
  { name: 'b2', host: 'b', last: 32, group: 'new-database' },
];
const HOST_LAST = { a: 11, b: 12 };
const METADATA = '169.254.169.254';
const ip = (role: NetworkRole, last: number) => `${SUBNET[role]}.${last}`;

const networkOf = (host: 'a' | 'b'): HostNetwork => ({
  addresses: Object.fromEntries(ROLES.map((r) => [r, ip(r, HOST_LAST[host])])) as Record<NetworkRole, string>,
  gateways: { management: ip('management', 1), api: ip('api', 1), storage: ip('storage', 1) },
  guests: GUESTS.filter((g) => g.host === host).map((g) => ({
    name: g.name,
    addresses: Object.fromEntries(ROLES.filter((r) => r !== 'tenant').map((r) => [r, ip(r, g.last)])),
  })),
  tenantPeers: [ip('tenant', HOST_LAST[host === 'a' ? 'b' : 'a'])],
});

const FRAMES = join(__dirname, 'support/vlan-frames.py');
const PROBE = join(__dirname, 'support/tcp-probe.py');

interface Listener {
  /** Resolves once the raw socket is bound. */
  readonly ready: Promise<void>;
  /** Resolves, after `stop`, with the test frames the listener saw. */
  readonly frames: Promise<{ vid: number | null; marker: string }[]>;
  /** Tells the listener that everything is sent. */
  readonly stop: () => void;
}

/** A raw-socket listener in a namespace, listening until it is told to stop. */
function listen(name: string, iface: string): Listener {
  const child = spawn('ip', ['netns', 'exec', ns(name), 'python3', FRAMES, 'listen', iface], { stdio: ['pipe', 'pipe', 'inherit'] });
  let out = '';
  let signal: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => (signal = resolve));
  child.stdout.on('data', (chunk: Buffer) => {
    out += chunk.toString();
    if (out.startsWith('ready\n')) signal();
  });
  const frames = new Promise<{ vid: number | null; marker: string }[]>((resolve, reject) =>
    child.on('close', (code) =>
      code === 0
        ? resolve(
            out
              .split('\n')
              .slice(1)
              .filter(Boolean)
              .map((line) => JSON.parse(line)),
          )
        : reject(new Error(`listener in ${name} exited ${code}: ${out}`)),
    ),
  );
  return { ready, frames, stop: () => child.stdin.end() };
}

const dir = mkdtempSync(join(tmpdir(), 'host-network-'));
const made: string[] = [];

function makeNs(name: string) {
  must('ip', 'netns', 'add', ns(name));
  made.push(ns(name));
  inNs(name, 'ip', 'link', 'set', 'lo', 'up');
}

/** Links two namespaces with a veth pair, `aEnd` in `a` and `bEnd` in `b`. */
function veth(a: string, aEnd: string, b: string, bEnd: string) {
  const tmp = `${tag}${made.length}x`.slice(-12);
  must('ip', 'link', 'add', `${tmp}a`, 'type', 'veth', 'peer', 'name', `${tmp}b`);
  must('ip', 'link', 'set', `${tmp}a`, 'netns', ns(a), 'name', aEnd);
  must('ip', 'link', 'set', `${tmp}b`, 'netns', ns(b), 'name', bEnd);
  made.push('');
}

function runScript(host: 'a' | 'b') {
  const file = join(dir, `host-${host}.sh`);
  writeFileSync(file, hostNetworkScript(networkOf(host)));
  return run('ip', ['netns', 'exec', ns(host), 'bash', file]);
}

describe('a hypervisor host network in namespaces', () => {
  beforeAll(() => {
    if (process.getuid?.() !== 0) throw new Error('the host network test makes network namespaces: run it as root');
    // The cloud network: one bridge per subnet, its gateway at .1.
    makeNs('cloud');
    for (const role of ROLES) {
      inNs('cloud', 'ip', 'link', 'add', `c-${role}`, 'type', 'bridge');
      inNs('cloud', 'ip', 'addr', 'add', `${ip(role, 1)}/24`, 'dev', `c-${role}`);
      inNs('cloud', 'ip', 'link', 'set', `c-${role}`, 'up');
    }
    for (const host of ['a', 'b'] as const) {
      makeNs(host);
      ROLES.forEach((role, i) => {
        veth(host, `eth${i}`, 'cloud', `${host}-${role}`);
        inNs('cloud', 'ip', 'link', 'set', `${host}-${role}`, 'master', `c-${role}`, 'up');
        inNs(host, 'ip', 'addr', 'add', `${ip(role, HOST_LAST[host])}/24`, 'dev', `eth${i}`);
        inNs(host, 'ip', 'link', 'set', `eth${i}`, 'up');
      });
      inNs(host, 'ip', 'route', 'add', 'default', 'via', ip('management', 1));
      const first = runScript(host);
      if (first.status !== 0) throw new Error(`host ${host} script: ${first.out}`);
    }
    // The guests, attached to their host's bridges after the host script, as libvirt does when it starts them.
    for (const g of GUESTS) {
      makeNs(g.name);
      ROLES.forEach((role, i) => {
        veth(g.name, `eth${i}`, g.host, `v-${g.name}-${i}`);
        inNs(g.host, 'ip', 'link', 'set', `v-${g.name}-${i}`, 'master', BRIDGE_OF[role], 'up');
        // libvirt's <port isolated='yes'/> on the routed networks' ports (assets/libvirt.ts).
        if (role !== 'tenant') inNs(g.host, 'bridge', 'link', 'set', 'dev', `v-${g.name}-${i}`, 'isolated', 'on');
        inNs(g.name, 'ip', 'link', 'set', `eth${i}`, 'up');
        if (role !== 'tenant') inNs(g.name, 'ip', 'addr', 'add', `${ip(role, g.last)}/24`, 'dev', `eth${i}`);
      });
      inNs(g.name, 'ip', 'route', 'add', 'default', 'via', ip('management', 1));
    }
  });

  afterAll(() => {
    for (const name of made.filter(Boolean).reverse()) run('ip', ['netns', 'del', name]);
    rmSync(dir, { recursive: true, force: true });
  });

  test('the script passes shellcheck', () => {
    const check = run('shellcheck', ['-s', 'bash', '-'], hostNetworkScript(networkOf('a')));
    expect(check).toEqual({ status: 0, out: '' });
  });

  test("a guest reaches its subnet's gateway, and the cloud (a load balancer) reaches the guest at its planned address", () => {
    expect(pings('a1', ip('management', 1))).toBe(true);
    expect(pings('cloud', ip('api', 21))).toBe(true);
    expect(pings('cloud', ip('storage', 32))).toBe(true);
  });

  test('guests reach each other on every routed network, on the same host and across hosts', () => {
    for (const role of ['management', 'api', 'storage'] as const) {
      expect([role, pings('a1', ip(role, 22))]).toEqual([role, true]);
      expect([role, pings('a1', ip(role, 31))]).toEqual([role, true]);
      expect([role, pings('b2', ip(role, 21))]).toEqual([role, true]);
    }
  });

  test('an address no host routes is not reached: the routes, not a flat bridge, carry the guests', () => {
    expect(pings('a1', ip('management', 99))).toBe(false);
  });

  test('tagged tenant frames reach every guest on either host with their VLAN kept, and never touch the cloud network untunnelled', async () => {
    const listeners = [listen('a2', 'eth3'), listen('b1', 'eth3'), listen('b2', 'eth3'), listen('cloud', 'c-tenant')];
    const seen = await Promise.all(
      listeners.map(async (l) => {
        await l.ready;
        return l;
      }),
    ).then(async (ready) => {
      inNs('a1', 'python3', FRAMES, 'send', 'eth3', '101', 'from-a1');
      inNs('b2', 'python3', FRAMES, 'send', 'eth3', '102', 'from-b2');
      ready.forEach((l) => l.stop());
      return Promise.all(ready.map((l) => l.frames));
    });
    const [a2, b1, b2, cloud] = seen;
    expect(b1).toEqual([
      { vid: 101, marker: 'from-a1' },
      { vid: 102, marker: 'from-b2' },
    ]);
    expect(a2).toEqual(b1);
    expect(b2).toEqual([{ vid: 101, marker: 'from-a1' }]);
    expect(cloud).toEqual([]);
  });

  test("a guest's traffic beyond its subnet leaves by its own network's interface, the only one the cloud admits its address from", () => {
    // Another zone's API subnet, which the guest reaches through its API subnet's gateway (assets/interfaces.ts routes).
    const far = '10.99.12.5';
    inNs('cloud', 'ip', 'addr', 'add', `${far}/32`, 'dev', 'lo');
    inNs('a1', 'ip', 'route', 'replace', '10.99.12.0/24', 'via', ip('api', 1), 'dev', 'eth1');
    // The cloud's source/destination check, as a rule: the management link admits management addresses only.
    inNs(
      'cloud',
      'nft',
      `add table inet sdc; add chain inet sdc input { type filter hook input priority 0; }; add rule inet sdc input iifname "c-management" ip saddr != ${SUBNET.management}.0/24 drop`,
    );
    try {
      expect(pings('a1', far)).toBe(true);
      // The check can fail: without the host's rules the reply-less packet leaves by the default route (management).
      inNs('a', 'ip', 'rule', 'del', 'pref', '1002');
      inNs('a', 'ip', 'rule', 'del', 'pref', '1003');
      expect(pings('a1', far)).toBe(false);
    } finally {
      inNs('cloud', 'nft', 'delete table inet sdc');
      expect(runScript('a').status).toBe(0);
    }
  });

  test("a guest's address that cloud-init put on the host's interface is taken off again, so the host routes it on", () => {
    inNs('a', 'ip', 'addr', 'add', `${ip('management', 21)}/24`, 'dev', 'eth0');
    expect(runScript('a').status).toBe(0);
    expect(inNs('a', 'ip', '-o', '-4', 'addr', 'show', 'dev', 'eth0')).not.toContain(`${ip('management', 21)}/`);
    expect(inNs('a', 'ip', 'route', 'get', ip('management', 21))).toContain('dev br-management');
  });

  test('a second run at boot changes nothing and succeeds', () => {
    const state = () =>
      inNs('a', 'ip', '-o', 'route') +
      inNs('a', 'ip', 'rule') +
      inNs('a', 'ip', '-o', 'route', 'show', 'table', 'all') +
      inNs('a', 'bridge', 'fdb', 'show', 'dev', 'vx-tenant');
    const before = state();
    expect(runScript('a')).toEqual({ status: 0, out: '' });
    expect(state()).toBe(before);
    expect(pings('a1', ip('management', 31))).toBe(true);
  });

  test('a host whose interface does not hold its planned address stops with the reason', () => {
    const wrong = { ...networkOf('a'), addresses: { ...networkOf('a').addresses, storage: '10.99.3.250' } };
    const file = join(dir, 'wrong.sh');
    writeFileSync(file, hostNetworkScript(wrong));
    const r = run('ip', ['netns', 'exec', ns('a'), 'bash', file]);
    expect(r.status).toBe(1);
    expect(r.out).toContain("no interface holds the host's storage address 10.99.3.250");
  });

  describe("with the guests' security groups on the hosts", () => {
    const servers: ChildProcess[] = [];
    const opens = (from: string, address: string, port: number) =>
      run('ip', ['netns', 'exec', ns(from), 'python3', PROBE, 'connect', address, String(port)]).status === 0;

    beforeAll(async () => {
      // The plan's own rules into these four groups; its load-balancer and operator sources become the test's subnets.
      const plan = buildPlan(loadProfile(), target('aws'));
      const groups = new Set(GUESTS.map((g) => g.group));
      const rules = securityRules(plan, ['203.0.113.0/24'])
        .filter((r) => groups.has(r.group))
        .map((r) =>
          'cidrs' in r.from ? { ...r, from: { ...r.from, cidrs: r.from.operators ? ['203.0.113.0/24'] : [`${SUBNET.api}.0/24`] } } : r,
        );
      const members = new Map(GUESTS.map((g) => [g.group, ROLES.filter((r) => r !== 'tenant').map((r) => ip(r, g.last))]));
      for (const host of ['a', 'b'] as const) {
        const file = join(dir, `guests-${host}.nft`);
        const guarded = GUESTS.filter((g) => g.host === host).map((g) => g.group);
        // Host a passes its guests' metadata requests on as its own; host b does not.
        const metadataService = host === 'a' ? { address: METADATA, port: 80 } : undefined;
        writeFileSync(file, hostFirewall({ members, guarded, rules, operatorSources: [`${ip('management', 1)}/32`], metadataService }));
        writeFileSync(join(dir, `host-${host}.sh`), hostNetworkScript({ ...networkOf(host), firewallFile: file }));
        const r = run('ip', ['netns', 'exec', ns(host), 'bash', join(dir, `host-${host}.sh`)]);
        if (r.status !== 0) throw new Error(`host ${host} with its firewall: ${r.out}`);
      }
      // The cloud's metadata service answers the instances' own addresses only, as AWS's does.
      inNs('cloud', 'ip', 'addr', 'add', `${METADATA}/32`, 'dev', 'lo');
      const hostsOnly = `{ ${ip('management', HOST_LAST.a)}, ${ip('management', HOST_LAST.b)} }`;
      inNs(
        'cloud',
        'nft',
        `add table ip metadata; add chain ip metadata input { type filter hook input priority 0; }; add rule ip metadata input ip daddr ${METADATA} ip saddr != ${hostsOnly} drop`,
      );
      for (const [guest, ports] of [
        ['cloud', [80]],
        ['a1', [5000, 35357, 22]],
        ['a2', [3306, 22]],
        ['b2', [3306, 22]],
      ] as const) {
        const child = spawn('ip', ['netns', 'exec', ns(guest), 'python3', PROBE, 'serve', ...ports.map(String)], {
          stdio: ['ignore', 'pipe', 'inherit'],
        });
        servers.push(child);
        await new Promise<void>((resolve) => child.stdout!.once('data', () => resolve()));
      }
    });

    afterAll(() => {
      for (const child of servers) child.kill();
    });

    test("a side's database admits its own side's Keystone, on the same host or another, and not the other side's", () => {
      expect(opens('a1', ip('management', 22), 3306)).toBe(true);
      expect(opens('b1', ip('management', 32), 3306)).toBe(true);
      expect(opens('b1', ip('management', 22), 3306)).toBe(false);
      expect(opens('a1', ip('management', 32), 3306)).toBe(false);
    });

    test('a guest admits nothing its group does not: not a database to Keystone, not ping between guests', () => {
      // (On the API subnet the load balancer's rule admits every address of that subnet, as the cloud's own group does.)
      expect(opens('a2', ip('management', 21), 5000)).toBe(false);
      expect(pings('a1', ip('management', 22))).toBe(false);
    });

    test('the load balancer subnet reaches the API, the operator path reaches SSH, and nothing else from the cloud', () => {
      expect(opens('cloud', ip('api', 21), 5000)).toBe(true);
      expect(opens('cloud', ip('management', 22), 22)).toBe(true);
      expect(opens('cloud', ip('management', 22), 3306)).toBe(false);
    });

    test("a guest reaches the cloud's metadata service as its host, where the host passes it on, and not by its own address", () => {
      expect(opens('a2', METADATA, 80)).toBe(true);
      expect(opens('b2', METADATA, 80)).toBe(false);
    });

    test('guests still reach out: the gateway answers them', () => {
      expect(pings('a2', ip('management', 1))).toBe(true);
    });
  });
});
