/** What the images a target config names can boot on: their OS's stock drivers and those the operator added. */
import { stockDrivers, type KernelDriver } from '../profile/kernels';
import type { TargetConfig } from './config';

export function imageDrivers(target: TargetConfig, os: string): ReadonlySet<KernelDriver> {
  return new Set([...stockDrivers(os), ...(target.imageDrivers[os] ?? [])]);
}
