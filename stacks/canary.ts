/**
 * Canary workload stack: talks to the staging cloud itself, through its own
 * Keystone behind the edge, whatever cloud the staging runs on. Each project's
 * networks, servers and objects are created as that project, by the canary user
 * (member, Swift operator and target-cell roles there, given by the runbook's
 * `seed.canary-user` before this stack), so that what survives is what tenants made
 * and see. Its `inventory` output is what the rehearsal checks after each upgrade and
 * rollback (every project, network, server, image and object still there).
 */
import { TerraformOutput, TerraformStack, TerraformVariable } from 'cdktf';
import type { Construct } from 'constructs';
import { CANARY_PASSWORD_VARIABLE, CANARY_USER } from '../plan/canary';
import type { StagingPlan } from '../plan/types';
import type { TargetConfig } from '../targets/config';
import { ComputeInstanceV2 } from '../.gen/providers/openstack/compute-instance-v2';
import { NetworkingNetworkV2 } from '../.gen/providers/openstack/networking-network-v2';
import { NetworkingSubnetV2 } from '../.gen/providers/openstack/networking-subnet-v2';
import { ObjectstorageContainerV1 } from '../.gen/providers/openstack/objectstorage-container-v1';
import { ObjectstorageObjectV1 } from '../.gen/providers/openstack/objectstorage-object-v1';
import { OpenstackProvider } from '../.gen/providers/openstack/provider';
import { configureState } from '../targets/state';
import type { CanaryProjectsStack } from './canary-projects';

export interface CanaryStackProps {
  readonly plan: StagingPlan;
  readonly config: TargetConfig;
  /** Public endpoint of the staging cloud (the edge stack's output). */
  readonly endpoint: string;
  /** The canary's admin part: its projects and images. */
  readonly projects: CanaryProjectsStack;
}

/** Keystone's default domain, by the id every release of this era gives it (`[identity] default_domain_id`). */
const DEFAULT_DOMAIN = 'default';

export class CanaryStack extends TerraformStack {
  constructor(scope: Construct, id: string, props: CanaryStackProps) {
    super(scope, id);
    const { plan, config, projects } = props;
    const canary = plan.canary;
    configureState(this, id, plan, config);

    // Ephemeral (Terraform 1.10+): given at each plan and apply (TF_VAR_), kept in neither; cdktf 0.21 has no field for it.
    const password = new TerraformVariable(this, CANARY_PASSWORD_VARIABLE, {
      type: 'string',
      sensitive: true,
      nullable: false,
      description: `${CANARY_USER}'s password (the rehearsal's CANARY_USER_PASSWORD)`,
    });
    password.addOverride('ephemeral', true);
    const authUrl = `http://${props.endpoint}:5000/v3`;
    // One provider per project, scoped to it. No `cloud`: a clouds.yaml entry would win over every argument here.
    const asProject = (alias: string, project: string) =>
      new OpenstackProvider(this, `as-${alias}`, {
        alias,
        authUrl,
        userName: CANARY_USER,
        userDomainId: DEFAULT_DOMAIN,
        password: password.stringValue,
        tenantName: project,
        projectDomainId: DEFAULT_DOMAIN,
      });
    const providers = new Map(canary.projects.map((name) => [name, asProject(name, name)]));
    const multibyteProvider = asProject('multibyte', canary.multibyte.project);

    // Production's flavors are in the restored Nova database, with the same ids on both sides: booted by
    // name, never created (a second m1.small would answer 409, and make a look-up by name ambiguous).
    const networks = new Map(
      canary.networks.map((n) => {
        const provider = providers.get(n.project)!;
        // No provider attributes: ML2 allocates the VLAN from production's tenant ranges, as for any tenant,
        // so that no id collides with the allocations of the restored database.
        const net = new NetworkingNetworkV2(this, `network-${n.name}`, { provider, name: n.name });
        new NetworkingSubnetV2(this, `subnet-${n.name}`, { provider, name: `${n.name}-v4`, networkId: net.id, cidr: n.cidr, ipVersion: 4 });
        return [n.name, net];
      }),
    );
    const apiCell = plan.cells.find((c) => c.type === 'api')!.name;
    const servers = canary.servers.map(
      (s) =>
        new ComputeInstanceV2(this, `server-${s.name}`, {
          provider: providers.get(s.project)!,
          name: s.name,
          imageId: projects.image.id,
          flavorName: s.flavor,
          network: [{ uuid: networks.get(s.network)!.id }],
          // Cells v1 routes the boot to the named child cell (TargetCellFilter), for the target-cell role.
          schedulerHints: [{ targetCell: `${apiCell}!${s.cell}` }],
          metadata: { rehearsal: plan.rehearsalId, cell: s.cell, project: s.project },
        }),
    );
    // In each project's own account, AUTH_<project id>.
    const objects = canary.containers.flatMap((c) => {
      const provider = providers.get(c.project)!;
      const container = new ObjectstorageContainerV1(this, `container-${c.name}`, { provider, name: c.name, forceDestroy: true });
      return c.objects.map(
        (name) =>
          new ObjectstorageObjectV1(this, `object-${c.name}-${name}`, {
            provider,
            containerName: container.name,
            name,
            content: `canary ${plan.rehearsalId} ${c.name}/${name}\n`,
          }),
      );
    });
    const multibyte = this.multibyte(props, multibyteProvider, `${apiCell}!${canary.multibyte.cell}`);

    new TerraformOutput(this, 'inventory', {
      description: 'what must survive every upgrade and rollback',
      value: {
        // The multibyte project among them, by its name: what the Horizon check switches to.
        projects: projects.projectIds,
        networks: Object.fromEntries([...networks].map(([name, n]) => [name, n.id])),
        image: projects.image.id,
        // What Glance (on Swift) must still hand back, byte for byte, after every switch.
        imageChecksum: projects.image.checksum,
        servers: Object.fromEntries(
          servers.map((s, i) => [canary.servers[i].name, { id: s.id, cell: canary.servers[i].cell, address: s.accessIpV4 }]),
        ),
        objects: Object.fromEntries(objects.map((o) => [`${o.containerName}/${o.name}`, o.etag])),
        multibyte: { network: multibyte.network, server: multibyte.server, image: multibyte.image, object: multibyte.object },
      },
    });
  }

  /** A network, server and object with Japanese names in the Japanese-named project; their ids (and the object's ETag). */
  private multibyte(props: CanaryStackProps, provider: OpenstackProvider, targetCell: string): Record<string, string> {
    const names = props.plan.canary.multibyte;
    const rehearsalId = props.plan.rehearsalId;
    const network = new NetworkingNetworkV2(this, 'network-multibyte', { provider, name: names.network });
    new NetworkingSubnetV2(this, 'subnet-multibyte', {
      provider,
      name: `${names.network}-v4`,
      networkId: network.id,
      cidr: names.cidr,
      ipVersion: 4,
    });
    const server = new ComputeInstanceV2(this, 'server-multibyte', {
      provider,
      name: names.server,
      imageId: props.projects.multibyteImage,
      flavorName: names.flavor,
      network: [{ uuid: network.id }],
      schedulerHints: [{ targetCell }],
      metadata: { rehearsal: rehearsalId, cell: names.cell, project: names.project },
    });
    const container = new ObjectstorageContainerV1(this, 'container-multibyte', { provider, name: names.container, forceDestroy: true });
    const object = new ObjectstorageObjectV1(this, 'object-multibyte', {
      provider,
      containerName: container.name,
      name: names.object,
      content: `canary ${rehearsalId} ${names.container}/${names.object}\n`,
    });
    return { network: network.id, server: server.id, image: props.projects.multibyteImage, object: object.etag };
  }
}
