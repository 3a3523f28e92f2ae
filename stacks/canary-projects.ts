/**
 * The canary's admin part, deployed first: its projects, its public images (Glance
 * keeps publicizing an image for admins) and the shared network Tempest boots on
 * (only an admin may share one). Everything a tenant would make is the `canary`
 * stack's, made as that tenant.
 */
import { TerraformOutput, TerraformStack } from 'cdktf';
import type { Construct } from 'constructs';
import type { StagingPlan } from '../plan/types';
import type { TargetConfig } from '../targets/config';
import { IdentityProjectV3 } from '../.gen/providers/openstack/identity-project-v3';
import { ImagesImageV2 } from '../.gen/providers/openstack/images-image-v2';
import { NetworkingNetworkV2 } from '../.gen/providers/openstack/networking-network-v2';
import { NetworkingSubnetV2 } from '../.gen/providers/openstack/networking-subnet-v2';
import { OpenstackProvider } from '../.gen/providers/openstack/provider';
import { configureState } from '../targets/state';

export interface CanaryProjectsStackProps {
  readonly plan: StagingPlan;
  readonly config: TargetConfig;
  /** Public endpoint of the staging cloud (the edge stack's output). */
  readonly endpoint: string;
}

/** Where the image comes from: the provider fetches a URL on the operator machine, and reads a file:// one from disk (the offline way). */
function imageSource(url: string): { localFilePath: string } | { imageSourceUrl: string } {
  return url.startsWith('file://') ? { localFilePath: decodeURIComponent(new URL(url).pathname) } : { imageSourceUrl: url };
}

export class CanaryProjectsStack extends TerraformStack {
  /** Each canary project's id by name, the Japanese-named one among them. */
  public readonly projectIds: Readonly<Record<string, string>>;
  /** The canary image's id, and the MD5 Glance must still hand back after every switch. */
  public readonly image: { readonly id: string; readonly checksum: string };
  /** The Japanese-named image's id. */
  public readonly multibyteImage: string;

  constructor(scope: Construct, id: string, props: CanaryProjectsStackProps) {
    super(scope, id);
    const { plan, config } = props;
    const canary = plan.canary;
    // The admin's credentials come from clouds.yaml; only the address is ours, so no secret is synthesized.
    new OpenstackProvider(this, 'staging', { cloud: config.canary.cloudName, authUrl: `http://${props.endpoint}:5000/v3` });
    configureState(this, id, plan, config);

    const description = `canary workload of rehearsal ${plan.rehearsalId}`;
    const projects = [
      ...canary.projects.map((name) => [name, new IdentityProjectV3(this, `project-${name}`, { name, description })] as const),
      [
        canary.multibyte.project,
        new IdentityProjectV3(this, 'project-multibyte', {
          name: canary.multibyte.project,
          description: `${description}: multibyte names`,
        }),
      ] as const,
    ];
    this.projectIds = Object.fromEntries(projects.map(([name, p]) => [name, p.id]));

    // Shared, of the admin project: Tempest's test projects boot their servers here.
    const tempest = new NetworkingNetworkV2(this, 'network-tempest', { name: canary.tempestNetwork.name, shared: true });
    new NetworkingSubnetV2(this, 'subnet-tempest', {
      name: `${canary.tempestNetwork.name}-v4`,
      networkId: tempest.id,
      cidr: canary.tempestNetwork.cidr,
      ipVersion: 4,
    });
    // Glance stores them in Swift, so the images themselves are part of what must survive.
    const source = imageSource(config.canary.imageUrl);
    const image = new ImagesImageV2(this, 'image', {
      name: canary.image.name,
      ...source,
      diskFormat: canary.image.diskFormat,
      containerFormat: 'bare',
      visibility: 'public',
    });
    const multibyte = new ImagesImageV2(this, 'image-multibyte', {
      name: canary.multibyte.image,
      ...source,
      diskFormat: canary.image.diskFormat,
      containerFormat: 'bare',
      visibility: 'public',
    });
    this.image = { id: image.id, checksum: image.checksum };
    this.multibyteImage = multibyte.id;

    new TerraformOutput(this, 'inventory', {
      description: "the canary's projects (the canary user is given its roles there before the canary stack) and Tempest's network",
      // Tempest's network too: the verify phases' probe servers boot on it as the admin, in the admin's own network.
      value: { projects: this.projectIds, networks: { [canary.tempestNetwork.name]: tempest.id } },
    });
  }
}
