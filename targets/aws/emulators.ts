/**
 * What an AWS emulator cannot create, in one place: the stacks keep every such
 * resource for real AWS and leave it out only when the target config names the
 * emulator behind its `endpoint`. Nothing else differs, and no check is loosened.
 */
import type { AwsTargetConfig } from '../config';

export type Emulator = NonNullable<AwsTargetConfig['emulator']>;

/** A Terraform resource type an emulator lacks, and what it costs the local deploy test. */
export interface EmulatorGap {
  readonly resource: string;
  readonly reason: string;
}

export const EMULATOR_GAPS: Readonly<Record<Emulator, readonly EmulatorGap[]>> = {
  moto: [
    {
      resource: 'aws_ec2_instance_connect_endpoint',
      reason:
        'moto 5.2.1 creates the endpoint but never reports it create-complete, so the apply waits until it times out; without it the foundation has no SSH path, which the local deploy test does not use',
    },
  ],
};

/** True when the config's emulator cannot create resources of `type`. */
export const emulatorLacks = (config: AwsTargetConfig, type: string): boolean =>
  config.emulator !== undefined && EMULATOR_GAPS[config.emulator].some((gap) => gap.resource === type);
