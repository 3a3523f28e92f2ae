import { parse } from 'yaml';
import { InputError } from '../profile/errors';
import { planShape, target } from './support/shapes';
import { members, resources, synthesize } from './support/synth';

describe('user data over the limit', () => {
  const { plan } = planShape('single cell', 'aws', { placement: 'instances', budgetPerHour: 4.6 });
  const { stacks } = synthesize(plan, target('aws', { placement: 'instances' }), { limit: 7500 });

  test("the node's files go to the assets bucket and its inline part fetches them first", () => {
    const objects = Object.values(resources(stacks.compute, 'aws_s3_object')) as any[];
    const compute = plan.nodes.find((n) => n.role === 'compute')!;
    expect(objects.length).toBeGreaterThan(2);
    for (const o of objects) {
      expect(o.key.startsWith(`nodes/${compute.name}/`)).toBe(true);
      expect(o.bucket).toMatch(
        /^\$\{data\.terraform_remote_state\.cross-stack-reference-input-foundation\.outputs\.[^}]*bucket-assets[^}]*\}$/,
      );
      expect(o.server_side_encryption).toBe('AES256');
    }
    const instance = (Object.values(members(stacks.compute, 'aws_instance')) as any[])[0];
    // As deployed: the longest bucket name a prefix allows (63), volume ids of 20 characters.
    const deployed = (instance.user_data as string)
      .replace(/\$\{data\.terraform_remote_state\.[^}]*bucket-assets[^}]*\}/g, 'b'.repeat(63))
      .replace(/\$\{replace\(aws_ebs_volume\.[^}]*\}/g, 'vol0123456789abcdef0');
    expect(deployed).not.toContain('${');
    expect(Buffer.byteLength(deployed)).toBeLessThanOrEqual(7500);
    const doc = parse(instance.user_data);
    expect(doc.write_files).toBeUndefined();
    for (const o of objects) expect(JSON.stringify(doc.runcmd)).toContain(`/${o.key} `);
  });

  test('nodes that fit keep everything inline and upload nothing', () => {
    const full = synthesize(plan, target('aws', { placement: 'instances' })).stacks;
    for (const stack of Object.values(full)) expect(Object.keys(resources(stack, 'aws_s3_object'))).toEqual([]);
  });

  test('a target without a bucket fetch refuses with the node named', () => {
    const os = planShape('single cell', 'openstack', { budgetPerHour: 3 }).plan;
    expect(() => synthesize(os, target('openstack'), { limit: 7500 })).toThrow(InputError);
    expect(() => synthesize(os, target('openstack'), { limit: 7500 })).toThrow(
      /nodes\.[a-z0-9-]+: user data of \d+ bytes exceeds 6476 and no bucket fetch is configured/,
    );
  });
});
