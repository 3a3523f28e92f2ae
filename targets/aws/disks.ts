/**
 * How an EC2 instance shows the EBS volumes attached to it, per platform (plain data: loads no
 * provider). The attachment names are /dev/sdf, /dev/sdg…; what the guest sees differs:
 * - Nitro: NVMe namespaces in the order they answer, which udev links by the volume's id
 *   (`nvme-Amazon_Elastic_Block_Store_vol…`, the controller's serial without the dash);
 * - Xen: Xen virtual disks, whose kernel name depends on the kernel (EL6's blkfront names
 *   sd-style disks four letters on, /dev/sdf as xvdj), so the node finds each by the Xen
 *   virtual-device number its attachment name gives (`xen:` locators, assets/storage.ts).
 */

/** EBS attachment name of a node's `index`-th data volume: /dev/sdf… */
export const ebsDeviceName = (index: number): string => `/dev/sd${String.fromCharCode('f'.charCodeAt(0) + index)}`;

/** Data volumes a Xen instance takes: sd-style disk numbers stop at 15 (/dev/sdp), so /dev/sdf to /dev/sdp. */
export const XEN_EBS_DEVICES = 11;

/** The by-id path of an EBS volume on Nitro, up to the volume id without its dash. */
export const NVME_BY_ID_PREFIX = '/dev/disk/by-id/nvme-Amazon_Elastic_Block_Store_';

/**
 * The locator of a Xen virtual disk attached as `/dev/sdX`: its virtual-device numbers, sd-style
 * (8 << 8 | disk << 4) and xvd-style (202 << 8 | disk << 4), per Xen's docs/misc/vbd-interface.txt.
 * Linux's xenbus names the device `vbd-<number>` (drivers/xen/xenbus/xenbus_probe_frontend.c,
 * frontend_bus_id), whatever name blkfront gives the disk.
 */
export function xenVbdLocator(attachmentName: string): string {
  const match = /^\/dev\/(?:sd|xvd)([a-p])$/.exec(attachmentName);
  if (!match) throw new Error(`${attachmentName}: not a Xen disk name of /dev/sda to /dev/sdp`);
  const disk = match[1].charCodeAt(0) - 'a'.charCodeAt(0);
  return `xen:vbd-${(8 << 8) | (disk << 4)}:vbd-${(202 << 8) | (disk << 4)}`;
}
