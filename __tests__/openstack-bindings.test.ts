import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { BINDINGS_DIR, generateBindings, listFiles, readSchema } from '../targets/openstack/generate-bindings';

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
