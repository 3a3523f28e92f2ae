/** targets/aws/disks.ts: attachment names and the Xen virtual-device numbers a node finds its volumes by. */
import { ebsDeviceName, XEN_EBS_DEVICES, xenVbdLocator } from '../targets/aws/disks';

test('data volumes are attached as /dev/sdf onwards, and a Xen instance takes them up to /dev/sdp', () => {
  expect([0, 1, 2].map(ebsDeviceName)).toEqual(['/dev/sdf', '/dev/sdg', '/dev/sdh']);
  expect(ebsDeviceName(XEN_EBS_DEVICES - 1)).toBe('/dev/sdp');
});

test("a Xen disk's locator carries both virtual-device numbers of docs/misc/vbd-interface.txt", () => {
  // sd-style: major 8, 16 minors per disk; xvd-style: major 202. /dev/sdf is disk 5.
  expect(xenVbdLocator('/dev/sdf')).toBe(`xen:vbd-${8 * 256 + 5 * 16}:vbd-${202 * 256 + 5 * 16}`);
  expect(xenVbdLocator('/dev/sdf')).toBe('xen:vbd-2128:vbd-51792');
  expect(xenVbdLocator('/dev/xvdf')).toBe(xenVbdLocator('/dev/sdf'));
  expect(xenVbdLocator('/dev/sdp')).toBe('xen:vbd-2288:vbd-51952');
});

test('a name past the sd-style range, or no disk name at all, is refused', () => {
  expect(() => xenVbdLocator('/dev/sdq')).toThrow(/not a Xen disk name of \/dev\/sda to \/dev\/sdp/);
  expect(() => xenVbdLocator('/dev/nvme1n1')).toThrow(/not a Xen disk name/);
});
