/**
 * The OpenStack public-cloud realization of a plan, with bindings generated from
 * `provider-schema.json` (see README.md beside this file). Same stacks, same role
 * logic as AWS: networks per role, a security group per role and side, ports at
 * the planned addresses, one volume per Swift ring device, an Octavia load
 * balancer with a pool per API and side.
 */
import type { TerraformStack } from 'cdktf';
import type { StagingPlan } from '../../plan/types';
import type { OpenstackTargetConfig } from '../config';
import { configureState } from '../state';
import { assetObjectId, type CloudTarget } from '../target';
import { openstackEdge } from './edge';
import { openstackFoundation, type OpenstackFoundation } from './foundation';
import { openstackHosts } from './hosts';
import { openstackNaming } from './naming';
import { openstackNodes } from './node';
import { ObjectstorageObjectV1 } from '../../.gen/providers/openstack/objectstorage-object-v1';
import { OpenstackProvider } from '../../.gen/providers/openstack/provider';

/** Provider version the schema file reflects. */
export const OPENSTACK_PROVIDER_CONSTRAINT = '= 3.4.0';

export function openstackTarget(plan: StagingPlan, config: OpenstackTargetConfig): CloudTarget<OpenstackFoundation> {
  const naming = openstackNaming(plan);
  return {
    cloud: 'openstack',
    configure(stack: TerraformStack, stackName: string) {
      new OpenstackProvider(stack, 'openstack', { cloud: config.cloudName, region: config.region });
      configureState(stack, stackName, plan, config);
    },
    foundation: (stack) => openstackFoundation(stack, plan, config, naming),
    nodes: (scope, nodes, foundation, userData) => openstackNodes(scope, nodes, userData, { plan, config, foundation, ...naming }),
    hosts: (scope, hosts, foundation, userData) => openstackHosts(scope, hosts, userData, { plan, config, foundation, ...naming }),
    upload(scope, foundation, key, content) {
      new ObjectstorageObjectV1(scope, assetObjectId(key), { containerName: foundation.buckets.assets, name: key, content });
    },
    edge: (stack, foundation, active) => openstackEdge(stack, plan, config, foundation, active, naming),
  };
}
