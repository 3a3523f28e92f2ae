/**
 * A hypervisor host bringing up a guest for real: libvirtd and virtlogd run in a
 * network namespace this test makes, with their socket in its temp folder; the
 * guest runs under QEMU's emulation (domain type qemu, whether or not this machine has /dev/kvm) from an empty base image,
 * its data volumes loop devices. Everything is removed afterwards.
 * Needs root and Debian's libvirt-daemon-system, qemu-system-x86, qemu-utils, genisoimage.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hostGuestsScript, type HostGuestsOptions } from '../assets/host-guests';
import { hostNetworkScript } from '../assets/host-network';
import { domainXml, guestMacs, libvirtNetworkOf, networkXml, overlayPath, seedPath } from '../assets/libvirt';
import { networksOf } from '../plan/network';
import type { HostPlan } from '../plan/placement';
import { buildPlan } from '../plan/plan';
import { NETWORK_ROLES, type NetworkRole, type NodePlan } from '../plan/types';
import { loadProfile } from '../profile/load';
import { commands } from './support/commands';
import { target } from './support/shapes';

const tag = `hg${process.pid}`;
const dir = mkdtempSync(join(tmpdir(), 'host-guests-'));
// QEMU runs as libvirt's own user: it must reach the images below (libvirt gives it the files themselves).
chmodSync(dir, 0o711);
const images = join(dir, 'images');
const defs = join(dir, 'defs');
const env = { ...process.env, LIBVIRT_DEFAULT_URI: `qemu:///system?socket=${dir}/libvirt-sock` };

jest.setTimeout(120_000);

const { run, must } = commands({ env, timeoutMs: 120_000 });
const inNs = (...args: string[]) => must('ip', 'netns', 'exec', tag, ...args);
const virsh = (...args: string[]) => must('virsh', '-q', ...args).trim();

const plan = buildPlan(loadProfile(), target('aws'));
const planned = plan.nodes.find((n) => n.role === 'swift-storage')!;
// The planned guest, named for this test and shrunk so that emulation stays light.
const guest: NodePlan = { ...planned, name: `${tag}-swift`, size: { ...planned.size, vcpus: 1, memoryGiB: 1 } };
const host: HostPlan = {
  name: `hv-${tag}`,
  side: guest.side,
  zone: guest.zone,
  size: { offer: 'test', vcpus: 4, memoryGiB: 8, pricePerHour: 0 },
  kvm: 'nested',
  guests: [guest.name],
  addresses: { management: '192.0.2.1', api: '192.0.2.2', storage: '192.0.2.3', tenant: '192.0.2.4' },
  rootVolumeGiB: 30 + guest.rootVolumeGiB,
};
const macs = guestMacs([guest]);
const loops: string[] = [];
const hostDevicePath = (_node: NodePlan, _volume: unknown, index: number) => loops[index];
// The test's stand-in for the bucket copy of a base image: an empty qcow2 (no OS boots from it; the guest still runs).
const options: HostGuestsOptions = {
  domainType: 'qemu',
  imageDir: images,
  definitionsDir: defs,
  fetchImage: (_os, dest) => `qemu-img create -q -f qcow2 ${dest} 1G`,
};
const script = join(dir, 'guests.sh');
const runScript = (text = hostGuestsScript(host, [guest], hostDevicePath, options)) => {
  writeFileSync(script, text);
  return run('ip', ['netns', 'exec', tag, 'bash', script]);
};

let started = false;
beforeAll(() => {
  if (process.getuid?.() !== 0) throw new Error('the host guests test runs libvirtd in a network namespace: run it as root');
  for (const tool of ['libvirtd', 'virtlogd', 'virsh', 'qemu-img', 'genisoimage', 'isoinfo', 'qemu-system-x86_64'])
    if (run('sh', ['-c', `command -v ${tool}`]).status !== 0)
      throw new Error(`${tool} is needed (Debian: libvirt-daemon-system qemu-system-x86 qemu-utils genisoimage)`);
  must('ip', 'netns', 'add', tag);
  started = true;
  // The host's own addresses on veth ends (this kernel has no dummy devices), so that its network script finds them.
  const addresses = Object.fromEntries(NETWORK_ROLES.map((role, i) => [role, `10.98.${i + 1}.11`])) as Record<NetworkRole, string>;
  NETWORK_ROLES.forEach((role, i) => {
    inNs('ip', 'link', 'add', `up${i}`, 'type', 'veth', 'peer', 'name', `peer${i}`);
    inNs('ip', 'addr', 'add', `${addresses[role]}/24`, 'dev', `up${i}`);
    inNs('ip', 'link', 'set', `up${i}`, 'up');
  });
  const gateways = { management: '10.98.1.1', api: '10.98.2.1', storage: '10.98.3.1' };
  writeFileSync(join(dir, 'network.sh'), hostNetworkScript({ addresses, gateways, guests: [guest], tenantPeers: [] }));
  inNs('bash', join(dir, 'network.sh'));
  writeFileSync(join(dir, 'libvirtd.conf'), `unix_sock_dir = "${dir}"\nauth_unix_rw = "none"\nauth_unix_ro = "none"\n`);
  inNs('virtlogd', '-d', '-p', join(dir, 'virtlogd.pid'));
  inNs('libvirtd', '-d', '-f', join(dir, 'libvirtd.conf'), '-p', join(dir, 'libvirtd.pid'));
  for (let i = 0; i < 50 && run('virsh', ['version']).status !== 0; i++) spawnSync('sleep', ['0.2']);
  // The data volumes, as the cloud attaches them to the host.
  for (const volume of guest.volumes) {
    const file = join(dir, `${volume.name}.img`);
    writeFileSync(file, '');
    must('truncate', '-s', '64M', file);
    loops.push(must('losetup', '-f', '--show', file).trim());
  }
  // What the host bootstrap writes before the script runs.
  mkdirSync(join(defs, 'networks'), { recursive: true });
  mkdirSync(join(defs, 'domains'), { recursive: true });
  mkdirSync(join(defs, 'seeds', guest.name), { recursive: true });
  mkdirSync(images, { recursive: true });
  for (const role of NETWORK_ROLES) writeFileSync(join(defs, 'networks', `${libvirtNetworkOf(role)}.xml`), networkXml(role));
  writeFileSync(
    join(defs, 'domains', `${guest.name}.xml`),
    domainXml(guest, host, hostDevicePath, macs, { domainType: 'qemu', imageDir: images }),
  );
  writeFileSync(join(defs, 'seeds', guest.name, 'user-data'), '#cloud-config\n{}\n');
  writeFileSync(join(defs, 'seeds', guest.name, 'meta-data'), `instance-id: ${guest.name}\nlocal-hostname: ${guest.name}\n`);
}, 120_000);

afterAll(() => {
  if (started) {
    run('virsh', ['destroy', guest.name]);
    run('virsh', ['undefine', guest.name]);
    for (const role of NETWORK_ROLES) {
      run('virsh', ['net-destroy', libvirtNetworkOf(role)]);
      run('virsh', ['net-undefine', libvirtNetworkOf(role)]);
    }
    for (const pid of ['libvirtd.pid', 'virtlogd.pid'].map((f) => join(dir, f)).filter(existsSync))
      run('kill', [readFileSync(pid, 'utf8').trim()]);
    for (const loop of loops) run('losetup', ['-d', loop]);
    run('ip', ['netns', 'del', tag]);
  }
  for (const log of [`${guest.name}.log`, `${guest.name}-console.log`]) rmSync(join('/var/log/libvirt/qemu', log), { force: true });
  rmSync(dir, { recursive: true, force: true });
});

describe("a hypervisor host's guests, brought up by libvirt", () => {
  test('the script passes shellcheck', () => {
    expect(run('shellcheck', ['-s', 'bash', '-'], hostGuestsScript(host, [guest], hostDevicePath, options))).toEqual({
      status: 0,
      out: '',
    });
  });

  test('the guest runs, its disks the overlay over the base image, its volumes and its seed', () => {
    expect(runScript()).toEqual({ status: 0, out: '' });
    expect(virsh('domstate', guest.name)).toBe('running');
    expect(virsh('dominfo', guest.name)).toMatch(/Autostart:\s+enable/);
    const disks = virsh('domblklist', guest.name)
      .split('\n')
      .map((line) => line.trim().split(/\s+/));
    expect(disks).toEqual([
      ['vda', overlayPath(guest, images)],
      ...loops.map((loop, i) => [`vd${'bcdefghij'[i]}`, loop]),
      ['hdc', seedPath(guest, images)],
    ]);
    const overlay = JSON.parse(must('qemu-img', 'info', '-U', '--output=json', overlayPath(guest, images)));
    expect(overlay).toMatchObject({
      format: 'qcow2',
      'backing-filename': `${images}/base/${guest.os}.qcow2`,
      'virtual-size': guest.rootVolumeGiB * 2 ** 30,
    });
    expect(must('isoinfo', '-d', '-i', seedPath(guest, images))).toMatch(/Volume id: cidata/);
    expect(must('isoinfo', '-R', '-f', '-i', seedPath(guest, images)).split('\n').filter(Boolean).sort()).toEqual([
      '/meta-data',
      '/user-data',
    ]);
  });

  test("each NIC has its planned MAC and is a port of its network's bridge, isolated but on the tenant trunk", () => {
    const nics = virsh('domiflist', guest.name)
      .split('\n')
      .map((line) => line.trim().split(/\s+/));
    expect(nics.map(([, , network, model, mac]) => [network, model, mac])).toEqual(
      networksOf(guest.role).map((role) => [libvirtNetworkOf(role), 'virtio', macs.get(`${guest.name}/${role}`)]),
    );
    for (const [tap, , network] of nics) {
      const bridge = `br-${network.replace('staging-', '')}`;
      expect([tap, inNs('ip', '-o', 'link', 'show', 'master', bridge)]).toEqual([tap, expect.stringContaining(`${tap}:`)]);
      // Isolated ports on the routed networks (guest to guest only through the host's firewall); the tenant trunk open.
      const isolated = network === libvirtNetworkOf('tenant') ? 'off' : 'on';
      expect([network, inNs('bridge', '-d', 'link', 'show', 'dev', tap)]).toEqual([
        network,
        expect.stringContaining(`isolated ${isolated}`),
      ]);
    }
  });

  test('a rerun at boot keeps the disks and the running guest; a stopped guest is started again', () => {
    const before = statSync(overlayPath(guest, images)).ino;
    const pid = readFileSync(`/run/libvirt/qemu/${guest.name}.pid`, 'utf8');
    expect(runScript()).toEqual({ status: 0, out: '' });
    expect(statSync(overlayPath(guest, images)).ino).toBe(before);
    expect(readFileSync(`/run/libvirt/qemu/${guest.name}.pid`, 'utf8')).toBe(pid);
    virsh('destroy', guest.name);
    expect(runScript()).toEqual({ status: 0, out: '' });
    expect(virsh('domstate', guest.name)).toBe('running');
  });

  test('a data volume that never appears stops the script with the guest and volume named', () => {
    const missing = (_n: NodePlan, _v: unknown, index: number) => (index === 0 ? `/dev/${tag}-absent` : loops[index]);
    const r = runScript(hostGuestsScript(host, [guest], missing, { ...options, volumeWaitSeconds: 5 }));
    expect(r.status).toBe(1);
    expect(r.out).toContain(`${guest.name} ${guest.volumes[0].name}: volume /dev/${tag}-absent did not appear in 5 s`);
  });

  test('without /dev/kvm a KVM host refuses to start its guests, naming the size', () => {
    // An absent device stands for the host's: some machines running these tests do have /dev/kvm.
    const device = `/dev/${tag}-no-kvm`;
    const r = runScript(hostGuestsScript(host, [guest], hostDevicePath, { ...options, domainType: 'kvm', kvmDevice: device }));
    expect(r.status).toBe(1);
    expect(r.out).toContain(`hv-${tag}: no ${device}: the test host offers no KVM to its guests`);
  });
});
