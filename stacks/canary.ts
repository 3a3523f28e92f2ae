/**
 * Canary workload stack: talks to the staging cloud itself, through its own
 * Keystone behind the edge, whatever cloud the staging runs on. Deployed once the
 * old side serves; its `inventory` output is what the rehearsal checks after each
 * upgrade and rollback (every project, network, server, image and object still there).
 */
import { TerraformOutput, TerraformStack } from 'cdktf';
import type { Construct } from 'constructs';
import type { MultibyteCanary, StagingPlan } from '../plan/types';
import type { TargetConfig } from '../targets/config';
import { ComputeInstanceV2 } from '../.gen/providers/openstack/compute-instance-v2';
import { IdentityProjectV3 } from '../.gen/providers/openstack/identity-project-v3';
import { ImagesImageV2 } from '../.gen/providers/openstack/images-image-v2';
import { NetworkingNetworkV2 } from '../.gen/providers/openstack/networking-network-v2';
import { NetworkingSubnetV2 } from '../.gen/providers/openstack/networking-subnet-v2';
import { ObjectstorageContainerV1 } from '../.gen/providers/openstack/objectstorage-container-v1';
import { ObjectstorageObjectV1 } from '../.gen/providers/openstack/objectstorage-object-v1';
import { OpenstackProvider } from '../.gen/providers/openstack/provider';
import { configureState } from '../targets/state';

export interface CanaryStackProps {
  readonly plan: StagingPlan;
  readonly config: TargetConfig;
  /** Public endpoint of the staging cloud (the edge stack's output). */
  readonly endpoint: string;
}

export class CanaryStack extends TerraformStack {
  constructor(scope: Construct, id: string, props: CanaryStackProps) {
    super(scope, id);
    const { plan, config } = props;
    const canary = plan.canary;
    // Credentials come from clouds.yaml; only the address is ours, so no secret is synthesized.
    new OpenstackProvider(this, 'staging', { cloud: config.canary.cloudName, authUrl: `http://${props.endpoint}:5000/v3` });
    configureState(this, id, plan, config);

    const projects = new Map(
      canary.projects.map((name) => [
        name,
        new IdentityProjectV3(this, `project-${name}`, { name, description: `canary workload of rehearsal ${plan.rehearsalId}` }),
      ]),
    );
    // Production's flavors are in the restored Nova database, with the same ids on both sides: booted by
    // name, never created (a second m1.small would answer 409, and make a look-up by name ambiguous).
    const networks = new Map(
      canary.networks.map((n) => {
        // No provider attributes: ML2 allocates the VLAN from production's tenant ranges, as for any tenant,
        // so that no id collides with the allocations of the restored database.
        const net = new NetworkingNetworkV2(this, `network-${n.name}`, { name: n.name, tenantId: projects.get(n.project)!.id });
        new NetworkingSubnetV2(this, `subnet-${n.name}`, {
          name: `${n.name}-v4`,
          networkId: net.id,
          cidr: n.cidr,
          ipVersion: 4,
          tenantId: projects.get(n.project)!.id,
        });
        return [n.name, net];
      }),
    );
    // The provider fetches a URL on the operator machine; a file:// one is read from disk (the offline way).
    const imageSource = config.canary.imageUrl.startsWith('file://')
      ? { localFilePath: decodeURIComponent(new URL(config.canary.imageUrl).pathname) }
      : { imageSourceUrl: config.canary.imageUrl };
    // Shared, of the admin project: Tempest's test projects boot their servers here.
    const tempest = new NetworkingNetworkV2(this, 'network-tempest', { name: canary.tempestNetwork.name, shared: true });
    new NetworkingSubnetV2(this, 'subnet-tempest', {
      name: `${canary.tempestNetwork.name}-v4`,
      networkId: tempest.id,
      cidr: canary.tempestNetwork.cidr,
      ipVersion: 4,
    });
    // Glance stores it in Swift, so the image itself is part of what must survive.
    const image = new ImagesImageV2(this, 'image', {
      name: canary.image.name,
      ...imageSource,
      diskFormat: canary.image.diskFormat,
      containerFormat: 'bare',
      visibility: 'public',
    });
    const apiCell = plan.cells.find((c) => c.type === 'api')!.name;
    const servers = canary.servers.map(
      (s) =>
        new ComputeInstanceV2(this, `server-${s.name}`, {
          name: s.name,
          imageId: image.id,
          flavorName: s.flavor,
          network: [{ uuid: networks.get(s.network)!.id }],
          // Cells v1 routes the boot to the named child cell (TargetCellFilter).
          schedulerHints: [{ targetCell: `${apiCell}!${s.cell}` }],
          metadata: { rehearsal: plan.rehearsalId, cell: s.cell, project: s.project },
        }),
    );
    const objects = canary.containers.flatMap((c) => {
      const container = new ObjectstorageContainerV1(this, `container-${c.name}`, { name: c.name, forceDestroy: true });
      return c.objects.map(
        (name) =>
          new ObjectstorageObjectV1(this, `object-${c.name}-${name}`, {
            containerName: container.name,
            name,
            content: `canary ${plan.rehearsalId} ${c.name}/${name}\n`,
          }),
      );
    });

    const multibyte = this.multibyte(canary.multibyte, plan.rehearsalId, `${apiCell}!${canary.multibyte.cell}`, {
      ...imageSource,
      diskFormat: canary.image.diskFormat,
    });

    new TerraformOutput(this, 'inventory', {
      description: 'what must survive every upgrade and rollback',
      value: {
        // The multibyte project among them, by its name: what the Horizon check switches to.
        projects: { ...Object.fromEntries([...projects].map(([name, p]) => [name, p.id])), [canary.multibyte.project]: multibyte.project },
        networks: Object.fromEntries([...networks].map(([name, n]) => [name, n.id])),
        image: image.id,
        // What Glance (on Swift) must still hand back, byte for byte, after every switch.
        imageChecksum: image.checksum,
        servers: Object.fromEntries(
          servers.map((s, i) => [canary.servers[i].name, { id: s.id, cell: canary.servers[i].cell, address: s.accessIpV4 }]),
        ),
        objects: Object.fromEntries(objects.map((o) => [`${o.containerName}/${o.name}`, o.etag])),
        multibyte: { network: multibyte.network, server: multibyte.server, image: multibyte.image, object: multibyte.object },
      },
    });
  }

  /** One project, network, server, image and object with Japanese names; their ids (and the object's ETag) for the inventory. */
  private multibyte(
    names: MultibyteCanary,
    rehearsalId: string,
    targetCell: string,
    image: { localFilePath?: string; imageSourceUrl?: string; diskFormat: string },
  ): Record<string, string> {
    const project = new IdentityProjectV3(this, 'project-multibyte', {
      name: names.project,
      description: `canary workload of rehearsal ${rehearsalId}: multibyte names`,
    });
    const network = new NetworkingNetworkV2(this, 'network-multibyte', { name: names.network, tenantId: project.id });
    new NetworkingSubnetV2(this, 'subnet-multibyte', {
      name: `${names.network}-v4`,
      networkId: network.id,
      cidr: names.cidr,
      ipVersion: 4,
      tenantId: project.id,
    });
    const glance = new ImagesImageV2(this, 'image-multibyte', {
      name: names.image,
      ...image,
      containerFormat: 'bare',
      visibility: 'public',
    });
    const server = new ComputeInstanceV2(this, 'server-multibyte', {
      name: names.server,
      imageId: glance.id,
      flavorName: names.flavor,
      network: [{ uuid: network.id }],
      schedulerHints: [{ targetCell }],
      metadata: { rehearsal: rehearsalId, cell: names.cell, project: names.project },
    });
    const container = new ObjectstorageContainerV1(this, 'container-multibyte', { name: names.container, forceDestroy: true });
    const object = new ObjectstorageObjectV1(this, 'object-multibyte', {
      containerName: container.name,
      name: names.object,
      content: `canary ${rehearsalId} ${names.container}/${names.object}\n`,
    });
    return { project: project.id, network: network.id, server: server.id, image: glance.id, object: object.etag };
  }
}
