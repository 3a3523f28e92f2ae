/**
 * What the local deploy test checks through the AWS API itself (an AWS SDK, not
 * Terraform's state): the deployed staging is the plan. Each check returns the
 * problems it found, one line each; none means it passed.
 */
import {
  DescribeAddressesCommand,
  DescribeInstanceAttributeCommand,
  DescribeInstancesCommand,
  DescribeNatGatewaysCommand,
  DescribeNetworkInterfacesCommand,
  DescribeSecurityGroupRulesCommand,
  DescribeSecurityGroupsCommand,
  DescribeVolumesCommand,
  DescribeVpcsCommand,
  EC2Client,
  type Instance,
  type SecurityGroupRule,
  type Volume,
} from '@aws-sdk/client-ec2';
import {
  DescribeListenersCommand,
  DescribeLoadBalancersCommand,
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { IAMClient, ListInstanceProfilesCommand, ListRolesCommand } from '@aws-sdk/client-iam';
import { ListBucketsCommand, S3Client } from '@aws-sdk/client-s3';
import { cloudGroupOf, ingressPermissions } from '../plan/security';
import type { HostPlan, NodePlan, Side, StagingPlan } from '../plan/types';
import { NETWORK_ROLES } from '../plan/types';
import { ebsBusOf } from '../targets/aws/catalog';
import { NVME_BY_ID_PREFIX, xenVbdLocator } from '../targets/aws/disks';
import { awsBucketPrefix, shortName } from '../targets/aws/naming';

export interface AwsApi {
  readonly ec2: EC2Client;
  readonly elb: ElasticLoadBalancingV2Client;
  readonly s3: S3Client;
  readonly iam: IAMClient;
}

/** SDK clients for one endpoint (credentials from the usual chain: the environment here). */
export function awsApi(endpoint: string, region: string): AwsApi {
  const common = { endpoint, region, maxAttempts: 3 };
  return {
    ec2: new EC2Client(common),
    elb: new ElasticLoadBalancingV2Client(common),
    s3: new S3Client({ ...common, forcePathStyle: true }),
    iam: new IAMClient(common),
  };
}

const tag = (tags: readonly { Key?: string; Value?: string }[] | undefined, key: string) => tags?.find((t) => t.Key === key)?.Value;

/** The rehearsal's instances that are not terminated, by node name. */
export async function liveInstances(api: AwsApi, plan: StagingPlan): Promise<Map<string, Instance>> {
  const out = await api.ec2.send(
    new DescribeInstancesCommand({
      Filters: [
        { Name: 'tag:rehearsal', Values: [plan.rehearsalId] },
        { Name: 'instance-state-name', Values: ['pending', 'running', 'stopping', 'stopped'] },
      ],
    }),
  );
  const prefix = `${plan.rehearsalId}-`;
  const instances = (out.Reservations ?? []).flatMap((r) => r.Instances ?? []);
  return new Map(instances.map((i) => [(tag(i.Tags, 'Name') ?? '').slice(prefix.length), i]));
}

/**
 * The instances of `sides` are exactly the plan's nodes there: one per node, with its
 * role, side and cell, its planned address on every network (management as the primary
 * interface), and the node's security group on each interface.
 */
export async function checkNodes(api: AwsApi, plan: StagingPlan, sides: readonly NodePlan['side'][]): Promise<string[]> {
  if (plan.placement.kind === 'hypervisors') return checkHosts(api, plan, plan.placement.hosts, sides);
  const live = await liveInstances(api, plan);
  const planned = plan.nodes.filter((n) => sides.includes(n.side));
  const problems: string[] = [];
  const liveHere = [...live.entries()].filter(([, i]) => sides.includes(tag(i.Tags, 'side') as NodePlan['side']));
  for (const [name] of liveHere) if (!planned.some((n) => n.name === name)) problems.push(`instance ${name} is not in the plan`);
  for (const node of planned) {
    const instance = live.get(node.name);
    if (!instance) {
      problems.push(`${node.name}: no instance`);
      continue;
    }
    for (const [key, want] of [
      ['role', node.role],
      ['side', node.side],
      ['cell', node.cell ?? 'none'],
    ] as const) {
      if (tag(instance.Tags, key) !== want) problems.push(`${node.name}: tag ${key} is ${tag(instance.Tags, key)}, planned ${want}`);
    }
    if (instance.InstanceType !== node.size.offer) problems.push(`${node.name}: type ${instance.InstanceType}, planned ${node.size.offer}`);
    const byDevice = new Map((instance.NetworkInterfaces ?? []).map((eni) => [eni.Attachment?.DeviceIndex, eni]));
    NETWORK_ROLES.filter((network) => node.addresses[network]).forEach((network, index) => {
      const eni = byDevice.get(index);
      if (eni?.PrivateIpAddress !== node.addresses[network]) {
        problems.push(
          `${node.name}: interface ${index} (${network}) has ${eni?.PrivateIpAddress ?? 'no address'}, planned ${node.addresses[network]}`,
        );
      }
    });
    if (instance.PublicIpAddress) problems.push(`${node.name}: has the public address ${instance.PublicIpAddress}`);
    if (instance.MetadataOptions?.HttpTokens !== 'required') problems.push(`${node.name}: instance metadata v1 allowed`);
  }
  return problems;
}

/**
 * Where the nodes are KVM guests: the instances of `sides` are exactly the plan's hosts, each
 * with one interface per network in order, holding the host's address as the primary one and
 * its guests' addresses on that network as the secondary ones (and nobody else's).
 */
async function checkHosts(
  api: AwsApi,
  plan: StagingPlan,
  hosts: readonly HostPlan[],
  sides: readonly NodePlan['side'][],
): Promise<string[]> {
  const live = await liveInstances(api, plan);
  const planned = hosts.filter((h) => sides.includes(h.side));
  const problems: string[] = [];
  for (const [name, instance] of live)
    if (sides.includes(tag(instance.Tags, 'side') as NodePlan['side']) && !planned.some((h) => h.name === name))
      problems.push(`instance ${name} is not a planned host`);
  for (const host of planned) {
    const instance = live.get(host.name);
    if (!instance) {
      problems.push(`${host.name}: no instance`);
      continue;
    }
    if (tag(instance.Tags, 'role') !== 'hypervisor') problems.push(`${host.name}: tag role is ${tag(instance.Tags, 'role')}`);
    if (instance.InstanceType !== host.size.offer) problems.push(`${host.name}: type ${instance.InstanceType}, planned ${host.size.offer}`);
    const guests = host.guests.map((g) => plan.nodes.find((n) => n.name === g)!);
    const byDevice = new Map((instance.NetworkInterfaces ?? []).map((eni) => [eni.Attachment?.DeviceIndex, eni]));
    NETWORK_ROLES.forEach((network, index) => {
      const eni = byDevice.get(index);
      const primary = eni?.PrivateIpAddresses?.find((a) => a.Primary)?.PrivateIpAddress;
      const secondary = (eni?.PrivateIpAddresses ?? []).filter((a) => !a.Primary).map((a) => a.PrivateIpAddress ?? '');
      if (primary !== host.addresses[network])
        problems.push(`${host.name}: interface ${index} (${network}) has ${primary ?? 'no address'}, planned ${host.addresses[network]}`);
      // The tenant interface carries the hosts' trunk only (targets/aws/hosts.ts).
      const want = network === 'tenant' ? [] : guests.flatMap((g) => (g.addresses[network] ? [g.addresses[network]!] : []));
      if (JSON.stringify([...secondary].sort()) !== JSON.stringify([...want].sort()))
        problems.push(
          `${host.name}: ${network} interface carries ${secondary.join(' ') || 'nothing'}, its guests have ${want.join(' ') || 'none'}`,
        );
    });
    if (instance.PublicIpAddress) problems.push(`${host.name}: has the public address ${instance.PublicIpAddress}`);
    if (instance.MetadataOptions?.HttpTokens !== 'required') problems.push(`${host.name}: instance metadata v1 allowed`);
  }
  return problems;
}

/** The instance a node's volumes are attached to: its own, or its host's. */
const machineOf = (plan: StagingPlan, node: NodePlan): string =>
  plan.placement.kind === 'hypervisors' ? plan.placement.hosts.find((h) => h.guests.includes(node.name))!.name : node.name;

/** Every Swift storage node of `side` has one attached, encrypted volume per ring device (attached to its host, for a guest). */
export async function checkSwiftDevices(api: AwsApi, plan: StagingPlan, side: Side): Promise<string[]> {
  const live = await liveInstances(api, plan);
  const problems: string[] = [];
  for (const node of plan.nodes.filter((n) => n.role === 'swift-storage' && n.side === side)) {
    const id = live.get(machineOf(plan, node))?.InstanceId;
    if (!id) {
      problems.push(`${node.name}: no instance`);
      continue;
    }
    const volumes = await api.ec2.send(new DescribeVolumesCommand({ Filters: [{ Name: 'attachment.instance-id', Values: [id] }] }));
    const devices = (volumes.Volumes ?? []).filter(
      (v) => tag(v.Tags, 'purpose') === 'swift-device' && tag(v.Tags, 'Name')?.startsWith(`${plan.rehearsalId}-${node.name}-`),
    );
    const attached = devices.filter((v) => v.Attachments?.some((a) => a.InstanceId === id && a.State === 'attached'));
    if (attached.length !== plan.swift.devicesPerNode) {
      problems.push(`${node.name}: ${attached.length} attached Swift device volume(s), the ring plans ${plan.swift.devicesPerNode}`);
    }
    for (const v of devices) if (!v.Encrypted) problems.push(`${node.name}: volume ${v.VolumeId} is not encrypted`);
    // An instance node's bootstrap must look for each volume where its type shows that attachment
    // (a hypervisor host's guests find theirs by virtio serial, which the host's definitions give).
    if (machineOf(plan, node) === node.name) problems.push(...(await bootstrapFindsVolumes(api, node, id, attached)));
  }
  return problems;
}

/** The `vol` lines of the user data the instance was launched with name each attached volume by its live id or attachment. */
async function bootstrapFindsVolumes(api: AwsApi, node: NodePlan, id: string, attached: readonly Volume[]): Promise<string[]> {
  const out = await api.ec2.send(new DescribeInstanceAttributeCommand({ InstanceId: id, Attribute: 'userData' }));
  const userData = Buffer.from(out.UserData?.Value ?? '', 'base64').toString('utf8');
  const looksFor = new Map([...userData.matchAll(/^\s*vol (.+) (\S+) (\/\S+) \S+ '[^']*'$/gm)].map((m) => [m[2], m[1]]));
  const problems: string[] = [];
  for (const volume of attached) {
    const name = (tag(volume.Tags, 'Name') ?? '').split('-').pop()!;
    const attachment = volume.Attachments!.find((a) => a.InstanceId === id)!;
    const expected =
      ebsBusOf(node.size.offer) === 'xen' ? xenVbdLocator(attachment.Device!) : `${NVME_BY_ID_PREFIX}${volume.VolumeId!.replace('-', '')}`;
    if (looksFor.get(name) !== expected)
      problems.push(
        `${node.name}: its bootstrap looks for volume ${name} at ${looksFor.get(name) ?? 'nothing'}, attached as ${attachment.Device} (${expected})`,
      );
  }
  return problems;
}

/**
 * The edge: one listener per public API, forwarding to `active`'s target group; one
 * target group per API and side, holding exactly that side's nodes at their API addresses.
 */
export async function checkEdge(api: AwsApi, plan: StagingPlan, active: Side): Promise<string[]> {
  const problems: string[] = [];
  const lbs = await api.elb.send(new DescribeLoadBalancersCommand({ Names: [shortName(plan.rehearsalId, 'edge')] }));
  const lb = lbs.LoadBalancers?.[0];
  if (!lb?.LoadBalancerArn) return ['no edge load balancer'];
  const listeners = (await api.elb.send(new DescribeListenersCommand({ LoadBalancerArn: lb.LoadBalancerArn }))).Listeners ?? [];
  const groups = (await api.elb.send(new DescribeTargetGroupsCommand({}))).TargetGroups ?? [];
  const groupArn = (side: Side, name: string) =>
    groups.find((g) => g.TargetGroupName === shortName(plan.rehearsalId, `${side}-${name}`))?.TargetGroupArn;
  if (listeners.length !== plan.apis.length) problems.push(`${listeners.length} listeners, ${plan.apis.length} public APIs`);
  for (const a of plan.apis) {
    const listener = listeners.find((l) => l.Port === a.port);
    const forward = listener?.DefaultActions?.find((d) => d.Type === 'forward')?.TargetGroupArn;
    if (!listener) problems.push(`${a.name}: no listener on port ${a.port}`);
    else if (forward !== groupArn(active, a.name))
      problems.push(`${a.name}: the listener does not forward to the ${active} side's target group`);
    for (const side of ['old', 'new'] as const) {
      const arn = groupArn(side, a.name);
      if (!arn) {
        problems.push(`${a.name}: no target group of the ${side} side`);
        continue;
      }
      const health = await api.elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: arn }));
      const targets = (health.TargetHealthDescriptions ?? []).map((t) => `${t.Target?.Id}:${t.Target?.Port}`).sort();
      const planned = plan.nodes
        .filter((n) => n.role === a.role && n.side === side)
        .map((n) => `${n.addresses.api}:${a.port}`)
        .sort();
      if (JSON.stringify(targets) !== JSON.stringify(planned)) {
        problems.push(
          `${a.name}: the ${side} side's target group holds ${targets.join(' ') || 'nothing'}, planned ${planned.join(' ') || 'nothing'}`,
        );
      }
    }
  }
  return problems;
}

interface GroupRules {
  readonly ids: Map<string, string>;
  readonly rules: readonly SecurityGroupRule[];
}

async function groupRules(api: AwsApi, plan: StagingPlan): Promise<GroupRules> {
  const sgs =
    (await api.ec2.send(new DescribeSecurityGroupsCommand({ Filters: [{ Name: 'tag:rehearsal', Values: [plan.rehearsalId] }] })))
      .SecurityGroups ?? [];
  const ids = new Map(sgs.map((g) => [g.GroupName!.slice(plan.rehearsalId.length + 1), g.GroupId!]));
  const rules: SecurityGroupRule[] = [];
  let token: string | undefined;
  do {
    const page = await api.ec2.send(
      new DescribeSecurityGroupRulesCommand({ Filters: [{ Name: 'group-id', Values: [...ids.values()] }], NextToken: token }),
    );
    rules.push(...(page.SecurityGroupRules ?? []));
    token = page.NextToken;
  } while (token);
  return { ids, rules };
}

/** Whether an ingress rule of `group` lets `from` (a group name or an address) reach `port`/tcp. */
function admits(g: GroupRules, group: string, from: { group: string } | { address: string }, port: number): boolean {
  const id = g.ids.get(group);
  return g.rules.some((r) => {
    if (r.IsEgress || r.GroupId !== id) return false;
    if (r.IpProtocol !== '-1' && (r.IpProtocol !== 'tcp' || port < (r.FromPort ?? 0) || port > (r.ToPort ?? -1))) return false;
    if ('group' in from) return r.ReferencedGroupInfo?.GroupId === g.ids.get(from.group);
    return r.CidrIpv4 !== undefined && inCidr(from.address, r.CidrIpv4);
  });
}

const toInt = (ip: string) => ip.split('.').reduce((n, o) => n * 256 + Number(o), 0);
const inCidr = (ip: string, cidr: string) => {
  const [base, bits] = cidr.split('/');
  const size = 2 ** (32 - Number(bits));
  return Math.floor(toInt(ip) / size) === Math.floor(toInt(base) / size);
};

/**
 * The security groups let exactly the planned flows through: every ingress rule is one
 * the plan's flows give, each planned flow has its rule, the new side reaches none of
 * the old side's databases and brokers, and only the admin ranges reach the listeners.
 */
export async function checkFlows(api: AwsApi, plan: StagingPlan, adminCidrs: readonly string[]): Promise<string[]> {
  const g = await groupRules(api, plan);
  const problems: string[] = [];
  const name = (id?: string) => [...g.ids.entries()].find(([, v]) => v === id)?.[0] ?? id ?? '?';
  const describe = (r: SecurityGroupRule) =>
    `${name(r.GroupId)} ${r.IpProtocol}/${r.FromPort}-${r.ToPort} from ${r.ReferencedGroupInfo ? name(r.ReferencedGroupInfo.GroupId) : r.CidrIpv4}`;
  // The cloud's groups (the nodes', or their hosts'): planned rules, and the operators' access path where the plan names them.
  const planned = new Set(ingressPermissions(plan, adminCidrs).map((p) => p.key));
  const edgeIngress = plan.apis.flatMap((a) => adminCidrs.map((c) => `edge tcp/${a.port}-${a.port} from ${c}`));
  const actual = g.rules.filter((r) => !r.IsEgress).map(describe);
  for (const rule of actual) if (!planned.has(rule) && !edgeIngress.includes(rule)) problems.push(`unplanned ingress rule: ${rule}`);
  for (const rule of [...planned, ...edgeIngress]) if (!actual.includes(rule)) problems.push(`planned ingress rule missing: ${rule}`);
  // The rollback relies on these: nothing of the new side reaches the old side's databases and brokers.
  const stores = plan.nodes.filter((n) => n.side === 'old' && ['database', 'cell-database', 'rabbitmq', 'cell-rabbitmq'].includes(n.role));
  const cloudGroup = (n: NodePlan) => cloudGroupOf(plan, n);
  const newGroups = [...new Set(plan.nodes.filter((n) => n.side === 'new').map(cloudGroup))];
  for (const store of new Set(stores.map(cloudGroup))) {
    for (const from of newGroups) {
      for (const port of [3306, 5672]) if (admits(g, store, { group: from }, port)) problems.push(`${from} reaches ${store} on ${port}`);
    }
  }
  // Listeners: an address outside the admin ranges reaches none.
  for (const a of plan.apis)
    if (admits(g, 'edge', { address: '198.51.100.7' }, a.port)) problems.push(`the ${a.name} listener is open beyond the admin ranges`);
  return problems;
}

/** What a teardown left behind of the rehearsal: instances, volumes, interfaces, groups, load balancers, buckets, roles. */
export async function leftovers(api: AwsApi, plan: StagingPlan): Promise<string[]> {
  const byTag = [{ Name: 'tag:rehearsal', Values: [plan.rehearsalId] }];
  const left: string[] = [];
  const add = (kind: string, ids: readonly (string | undefined)[]) => {
    if (ids.length > 0) left.push(`${ids.length} ${kind}: ${ids.slice(0, 5).join(' ')}${ids.length > 5 ? ' …' : ''}`);
  };
  add(
    'instance(s)',
    [...(await liveInstances(api, plan)).values()].map((i) => i.InstanceId),
  );
  add(
    'volume(s)',
    ((await api.ec2.send(new DescribeVolumesCommand({ Filters: byTag }))).Volumes ?? []).map((v) => v.VolumeId),
  );
  add(
    'network interface(s)',
    ((await api.ec2.send(new DescribeNetworkInterfacesCommand({ Filters: byTag }))).NetworkInterfaces ?? []).map(
      (n) => n.NetworkInterfaceId,
    ),
  );
  add(
    'security group(s)',
    ((await api.ec2.send(new DescribeSecurityGroupsCommand({ Filters: byTag }))).SecurityGroups ?? []).map((s) => s.GroupId),
  );
  add(
    'VPC(s)',
    ((await api.ec2.send(new DescribeVpcsCommand({ Filters: byTag }))).Vpcs ?? []).map((v) => v.VpcId),
  );
  const nats = (await api.ec2.send(new DescribeNatGatewaysCommand({ Filter: byTag }))).NatGateways ?? [];
  add(
    'NAT gateway(s)',
    nats.filter((n) => n.State !== 'deleted').map((n) => n.NatGatewayId),
  );
  add(
    'elastic address(es)',
    ((await api.ec2.send(new DescribeAddressesCommand({ Filters: byTag }))).Addresses ?? []).map((a) => a.AllocationId),
  );
  const lbs = (await api.elb.send(new DescribeLoadBalancersCommand({}))).LoadBalancers ?? [];
  add(
    'load balancer(s)',
    lbs.filter((l) => l.LoadBalancerName === shortName(plan.rehearsalId, 'edge')).map((l) => l.LoadBalancerName),
  );
  const tgs = (await api.elb.send(new DescribeTargetGroupsCommand({}))).TargetGroups ?? [];
  const tgNames = new Set(plan.apis.flatMap((a) => (['old', 'new'] as const).map((s) => shortName(plan.rehearsalId, `${s}-${a.name}`))));
  add(
    'target group(s)',
    tgs.filter((t) => tgNames.has(t.TargetGroupName ?? '')).map((t) => t.TargetGroupName),
  );
  const buckets = (await api.s3.send(new ListBucketsCommand({}))).Buckets ?? [];
  const prefixes = ['dumps', 'backups', 'assets'].map((p) => awsBucketPrefix(plan.rehearsalId, p));
  add(
    'bucket(s)',
    buckets.filter((b) => prefixes.some((p) => b.Name?.startsWith(p))).map((b) => b.Name),
  );
  const roles = (await api.iam.send(new ListRolesCommand({}))).Roles ?? [];
  add(
    'IAM role(s)',
    roles.filter((r) => r.RoleName?.startsWith(`${plan.rehearsalId}-`)).map((r) => r.RoleName),
  );
  const profiles = (await api.iam.send(new ListInstanceProfilesCommand({}))).InstanceProfiles ?? [];
  add(
    'instance profile(s)',
    profiles.filter((p) => p.InstanceProfileName?.startsWith(`${plan.rehearsalId}-`)).map((p) => p.InstanceProfileName),
  );
  return left;
}

/** Instance ids by node (or host) name, for those of `side`: what must not change when another side is destroyed. */
export async function instanceIds(api: AwsApi, plan: StagingPlan, side: NodePlan['side']): Promise<Map<string, string>> {
  const live = await liveInstances(api, plan);
  const machines = plan.placement.kind === 'hypervisors' ? plan.placement.hosts : plan.nodes;
  return new Map(machines.filter((m) => m.side === side).map((m) => [m.name, live.get(m.name)?.InstanceId ?? 'missing']));
}
