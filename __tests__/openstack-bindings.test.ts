import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadProfile } from '../profile/load';
import { buildPlan } from '../plan/plan';
import { BINDINGS_DIR, generateBindings, listFiles, readSchema } from '../targets/openstack/generate-bindings';
import { target } from './support/shapes';
import { synthesize } from './support/synth';

const FQPN = 'registry.terraform.io/terraform-provider-openstack/openstack';

/** The resources the OpenStack target builds with; the schema file must cover each. */
const RESOURCES = [
  'openstack_compute_instance_v2',
  'openstack_compute_flavor_v2',
  'openstack_compute_keypair_v2',
  'openstack_compute_volume_attach_v2',
  'openstack_networking_network_v2',
  'openstack_networking_subnet_v2',
  'openstack_networking_port_v2',
  'openstack_networking_secgroup_v2',
  'openstack_networking_secgroup_rule_v2',
  'openstack_networking_router_v2',
  'openstack_networking_router_interface_v2',
  'openstack_networking_floatingip_v2',
  'openstack_networking_floatingip_associate_v2',
  'openstack_lb_loadbalancer_v2',
  'openstack_lb_listener_v2',
  'openstack_lb_pool_v2',
  'openstack_lb_member_v2',
  'openstack_lb_monitor_v2',
  'openstack_blockstorage_volume_v3',
  'openstack_objectstorage_container_v1',
  'openstack_objectstorage_object_v1',
  'openstack_identity_project_v3',
  'openstack_identity_user_v3',
  'openstack_identity_role_assignment_v3',
  'openstack_images_image_v2',
];

/** Folder name `cdktf get` uses for a resource type. */
const folderOf = (type: string) => type.replace(/^openstack_/, '').replace(/_/g, '-');

describe('the OpenStack provider schema file', () => {
  const provider = readSchema().provider_schemas?.[FQPN];

  test('is keyed by the registry address of terraform-provider-openstack/openstack', () => {
    expect(provider).toBeDefined();
  });

  test('covers every resource the target uses, each with a block of attributes', () => {
    const schemas = provider?.resource_schemas ?? {};
    for (const type of RESOURCES) {
      expect(schemas[type]?.block.attributes).toEqual(expect.objectContaining({ id: expect.anything() }));
    }
    expect(Object.keys(schemas).sort()).toEqual([...RESOURCES].sort());
  });

  test('has the 3.x provider arguments and not the ones removed before 3.0', () => {
    const args = Object.keys(provider?.provider.block.attributes ?? {});
    expect(args).toEqual(
      expect.arrayContaining(['cloud', 'auth_url', 'region', 'user_name', 'password', 'tenant_name', 'insecure', 'endpoint_type']),
    );
    expect(args).not.toContain('use_octavia');
  });

  test('is 3.4.0’s: the arguments that release lacks are gone, the ones it has are there', () => {
    const block = (type: string) => provider!.resource_schemas![type].block;
    expect(block('openstack_compute_instance_v2').attributes).not.toHaveProperty('hostname');
    expect(block('openstack_identity_project_v3').attributes).not.toHaveProperty('extra');
    expect(block('openstack_networking_router_v2').attributes).not.toHaveProperty('flavor_id');
    expect(block('openstack_compute_volume_attach_v2').attributes!.tag).toMatchObject({ type: 'string', optional: true });
    const fixedIp = block('openstack_networking_port_v2').block_types!.fixed_ip.block;
    expect(fixedIp.attributes!.subnet_id).toMatchObject({ optional: true });
    expect(Object.keys(provider!.data_source_schemas ?? {}).sort()).toEqual([
      'openstack_compute_flavor_v2',
      'openstack_compute_keypair_v2',
      'openstack_identity_role_v3',
    ]);
    // openstack/data_source_openstack_compute_keypair_v2.go: the hosts read the operators' public key by name.
    expect(provider!.data_source_schemas!.openstack_compute_keypair_v2.block.attributes).toMatchObject({
      name: { required: true },
      public_key: { computed: true },
    });
  });
});

/** Terraform's own arguments of every resource, whatever its schema, and cdktf's metadata (`//`). */
const META = new Set(['//', 'count', 'for_each', 'depends_on', 'lifecycle', 'provider', 'provisioner', 'connection']);

/** What a resource body sets that its schema block does not have, and required attributes it leaves out. */
function schemaProblems(body: Record<string, unknown>, block: any, at: string, meta = true): string[] {
  const attributes = block.attributes ?? {};
  const blocks = block.block_types ?? {};
  const unknown = Object.keys(body)
    .filter((k) => !(k in attributes) && !(k in blocks) && !(meta && META.has(k)))
    .map((k) => `${at}.${k}: not an argument of 3.4.0`);
  const missing = Object.entries<any>(attributes)
    .filter(([k, a]) => a.required && !(k in body))
    .map(([k]) => `${at}.${k}: required, not set`);
  const nested = Object.entries<any>(blocks).flatMap(([k, b]) => {
    const value = body[k];
    const items = Array.isArray(value) ? value : value && typeof value === 'object' ? [value] : [];
    return items.flatMap((item, i) => schemaProblems(item, b.block, `${at}.${k}[${i}]`, false));
  });
  return [...unknown, ...missing, ...nested];
}

describe.each(['openstack', 'aws'] as const)('the synthesized OpenStack resources (target %s)', (cloud) => {
  const provider = readSchema().provider_schemas![FQPN];
  const config = target(cloud);
  const { stacks } = synthesize(buildPlan(loadProfile(), config), config);

  test('use only arguments of the 3.4.0 schema, and set every required one', () => {
    const problems: string[] = [];
    let checked = 0;
    for (const [stack, json] of Object.entries(stacks)) {
      for (const [type, members] of Object.entries<Record<string, any>>(json.resource ?? {})) {
        if (!type.startsWith('openstack_')) continue;
        for (const [name, body] of Object.entries(members)) {
          checked++;
          problems.push(...schemaProblems(body, provider.resource_schemas![type].block, `${stack}/${type}.${name}`));
        }
      }
    }
    expect(checked).toBeGreaterThan(cloud === 'openstack' ? 30 : 10);
    expect(problems).toEqual([]);
  });

  test("configure the provider with the 3.4.0 provider block's arguments only (the canary's per-project blocks too)", () => {
    const blocks = Object.entries(stacks).flatMap(([stack, json]) =>
      ((json.provider?.openstack ?? []) as Record<string, unknown>[]).map((body, i) => ({ stack, body, i })),
    );
    expect(blocks.filter((b) => b.stack === 'canary')).toHaveLength(3);
    const problems = blocks.flatMap(({ stack, body, i }) => {
      const { alias, ...rest } = body;
      return schemaProblems(rest, provider.provider.block, `${stack}/provider.openstack[${String(alias ?? i)}]`, false);
    });
    expect(problems).toEqual([]);
    // The check itself: an argument 3.4.0 has not.
    expect(schemaProblems({ auth_url: 'x', project_name: 'p' }, provider.provider.block, 'p', false)).toEqual([
      'p.project_name: not an argument of 3.4.0',
    ]);
  });
});

describe('the generated bindings', () => {
  let tmp: string;
  beforeAll(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'openstack-bindings-test-'));
  });
  afterAll(() => {
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  test('have one folder per resource plus the provider, each exporting its Terraform type', () => {
    for (const type of RESOURCES) {
      const source = fs.readFileSync(path.join(BINDINGS_DIR, folderOf(type), 'index.ts'), 'utf8');
      expect(source).toContain(`public static readonly tfResourceType = "${type}";`);
    }
    expect(fs.existsSync(path.join(BINDINGS_DIR, 'provider', 'index.ts'))).toBe(true);
    expect(fs.existsSync(path.join(BINDINGS_DIR, 'index.ts'))).toBe(true);
  });

  test('in .gen are what the schema file gives (regenerated at install: stale after a schema edit without `npm run bindings`)', async () => {
    const out = path.join(tmp, 'provider');
    const written = await generateBindings(out);
    const installed = listFiles(BINDINGS_DIR);
    expect(written).toEqual(installed);
    const differing = installed.filter(
      (file) => !fs.readFileSync(path.join(out, file)).equals(fs.readFileSync(path.join(BINDINGS_DIR, file))),
    );
    // On failure: run `npm run bindings`.
    expect(differing).toEqual([]);
  });
});

test('the schema check sees an argument 3.4.0 lacks and a required one left out (it can fail)', () => {
  const schemas = readSchema().provider_schemas![FQPN].resource_schemas!;
  expect(schemaProblems({ name: 'x', hostname: 'y' }, schemas.openstack_compute_instance_v2.block, 'r')).toEqual([
    'r.hostname: not an argument of 3.4.0',
  ]);
  expect(schemaProblems({ name: 'n' }, schemas.openstack_networking_subnet_v2.block, 's')).toEqual(['s.network_id: required, not set']);
});
