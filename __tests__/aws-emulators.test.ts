/** targets/aws/emulators.ts: only a named emulator leaves a resource out, and only the ones it lacks. */
import { EMULATOR_GAPS, emulatorLacks } from '../targets/aws/emulators';
import type { AwsTargetConfig } from '../targets/config';
import { target } from './support/shapes';

const aws = target('aws') as AwsTargetConfig;

test('against real AWS nothing is left out', () => {
  for (const gap of EMULATOR_GAPS.moto) expect(emulatorLacks(aws, gap.resource)).toBe(false);
});

test('under moto, the Instance Connect Endpoint alone is left out, each gap with its reason', () => {
  const moto = { ...aws, emulator: 'moto' } as AwsTargetConfig;
  expect(emulatorLacks(moto, 'aws_ec2_instance_connect_endpoint')).toBe(true);
  expect(emulatorLacks(moto, 'aws_instance')).toBe(false);
  for (const gap of EMULATOR_GAPS.moto) expect(gap.reason.length).toBeGreaterThan(40);
});
