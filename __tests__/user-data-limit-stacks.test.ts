import { parse } from 'yaml';
import { InputError } from '../profile/errors';
import { planShape, target } from './support/shapes';
import { resources, synthesize } from './support/synth';

describe('user data over the limit', () => {
  const { plan } = planShape('single cell', 'aws', { budgetPerHour: 4.6 });
  const { stacks } = synthesize(plan, target('aws'), { limit: 4000 });

  test("the node's files go to the assets bucket and its inline part fetches them first", () => {
    const objects = Object.values(resources(stacks.compute, 'aws_s3_object')) as any[];
    const compute = plan.nodes.find((n) => n.role === 'compute')!;
    expect(objects.length).toBeGreaterThan(2);
    for (const o of objects) {
      expect(o.key.startsWith(`nodes/${compute.name}/`)).toBe(true);
      expect(o.bucket).toMatch(/^\$\{data\.terraform_remote_state\.cross-stack-reference-input-foundation\.outputs\.[^}]*bucket-assets[^}]*\}$/);
      expect(o.server_side_encryption).toBe('AES256');
    }
    const instance = (Object.values(resources(stacks.compute, 'aws_instance')) as any[])[0];
    expect(Buffer.byteLength(instance.user_data)).toBeLessThanOrEqual(4000);
    const doc = parse(instance.user_data);
    expect(doc.write_files).toBeUndefined();
    for (const o of objects) expect(JSON.stringify(doc.runcmd)).toContain(`/${o.key} `);
  });

  test('nodes that fit keep everything inline and upload nothing', () => {
    const full = synthesize(plan, target('aws')).stacks;
    for (const stack of Object.values(full)) expect(Object.keys(resources(stack, 'aws_s3_object'))).toEqual([]);
  });

  test('a target without a bucket fetch refuses with the node named', () => {
    const os = planShape('single cell', 'openstack', { budgetPerHour: 3 }).plan;
    expect(() => synthesize(os, target('openstack'), { limit: 4000 })).toThrow(InputError);
    expect(() => synthesize(os, target('openstack'), { limit: 4000 })).toThrow(/nodes\.[a-z0-9-]+: user data of \d+ bytes exceeds 4000 and no bucket fetch is configured/);
  });
});
