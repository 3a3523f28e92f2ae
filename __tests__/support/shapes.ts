/** Production shapes the tests plan: the reference and variations of it. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { parseProfile, REFERENCE_PROFILE } from '../../profile/load';
import type { Profile } from '../../profile/schema';
import { buildPlan } from '../../plan/plan';
import type { StagingPlan } from '../../plan/types';
import { defaultTargetFile, loadTarget, type CloudName, type TargetConfig } from '../../targets/config';

type Doc = Record<string, any>;

/** The reference profile as a plain object, to vary. */
export const referenceDoc = (): Doc => parse(readFileSync(REFERENCE_PROFILE, 'utf8'));

/** Parses a varied profile as if it sat beside the reference (for its log-ignore file). */
export const profileFrom = (doc: Doc): Profile => parseProfile(stringify(doc), join(__dirname, '../../profile/test-shape.yaml'));

/**
 * EL7 images an operator made Nitro-ready (ENA and NVMe added): AWS instance placements of the
 * reference use them, as its compute nodes boot on no stock EL 7.1 image; EL6 stays stock (Xen types).
 */
export const NITRO_READY_EL7 = { 'centos-7.1': ['ena', 'nvme'], 'centos-7.2': ['ena', 'nvme'] };

/** The default target config of a cloud with changes; AWS instance placements get `NITRO_READY_EL7` unless they say otherwise. */
export const target = (cloud: CloudName = 'aws', changes: Partial<Doc> = {}): TargetConfig => {
  const nitroReady = cloud === 'aws' && changes.placement === 'instances' ? { imageDrivers: NITRO_READY_EL7 } : {};
  return { ...loadTarget(defaultTargetFile(cloud)), ...nitroReady, ...changes } as TargetConfig;
};

const cell = (name: string, computeHosts: number) => ({
  name,
  computeHosts,
  dbSizeGiB: 10,
  services: { count: 2, vcpus: 8, memoryGiB: 16 },
  database: { count: 2, vcpus: 8, memoryGiB: 32 },
  rabbitmq: { count: 2, vcpus: 4, memoryGiB: 8 },
});

export const SHAPES: Record<string, () => Doc> = {
  reference: referenceDoc,
  'single cell': () => {
    const doc = referenceDoc();
    doc.name = 'small-cloud';
    doc.nova.cells = [cell('only', 40)];
    return doc;
  },
  '24 cells': () => {
    const doc = referenceDoc();
    doc.name = 'many-cells';
    doc.nova.cells = Array.from({ length: 24 }, (_, i) => cell(`c${String(i + 1).padStart(2, '0')}`, 15 + i));
    return doc;
  },
  'two swift regions': () => {
    const doc = referenceDoc();
    doc.name = 'two-regions';
    doc.swift.partPower = 14;
    doc.swift.regions = [
      {
        id: 1,
        zones: [
          { id: 1, nodes: 4 },
          { id: 2, nodes: 4 },
        ],
      },
      {
        id: 2,
        zones: [
          { id: 1, nodes: 3 },
          { id: 2, nodes: 3 },
        ],
      },
    ];
    return doc;
  },
};

export function planShape(shape: string, cloud: CloudName = 'aws', changes: Partial<Doc> = {}): { profile: Profile; plan: StagingPlan } {
  const profile = profileFrom(SHAPES[shape]());
  return { profile, plan: buildPlan(profile, target(cloud, { budgetPerHour: 1000, ...changes })) };
}
