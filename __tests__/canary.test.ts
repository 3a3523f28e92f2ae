import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadProfile } from '../profile/load';
import { buildPlan } from '../plan/plan';
import { canaryAuthProblem, flavorProblems } from '../runbook/checks';
import { stepsFor } from './support/runbook';
import { planShape, target } from './support/shapes';
import { resources, synthesize } from './support/synth';

describe.each(['aws', 'openstack'] as const)('canary workload on %s', (cloud) => {
  const profile = loadProfile();
  const config = target(cloud);
  const plan = buildPlan(profile, config);
  const { stacks, manifest } = synthesize(plan, config);
  const admin = stacks['canary-projects'];
  const canary = stacks.canary;
  const edgeUrl = /^http:\/\/\$\{data\.terraform_remote_state\.cross-stack-reference-input-edge\.outputs\.[^}]+\}:5000\/v3$/;
  const aliases = [...plan.canary.projects, 'multibyte'];
  const projectOf = (alias: string) => (alias === 'multibyte' ? plan.canary.multibyte.project : alias);

  test("the admin part talks to the staging cloud's own Keystone behind the edge, with credentials from clouds.yaml", () => {
    const provider = admin.provider.openstack[0];
    expect(provider.cloud).toBe('staging-inside');
    expect(provider.auth_url).toMatch(edgeUrl);
    expect(Object.keys(provider)).toEqual(['auth_url', 'cloud']);
    expect(Object.keys(admin.resource).sort()).toEqual([
      'openstack_identity_project_v3',
      'openstack_images_image_v2',
      'openstack_networking_network_v2',
      'openstack_networking_subnet_v2',
    ]);
    expect(manifest.stacks.canary.dependencies).toEqual(expect.arrayContaining(['canary-projects']));
  });

  test('each project logs in as itself: the canary user, scoped to that project, with an ephemeral password and no clouds.yaml', () => {
    expect(canary.variable).toEqual({
      canary_user_password: expect.objectContaining({ type: 'string', sensitive: true, nullable: false, ephemeral: true }),
    });
    expect(canary.variable.canary_user_password.default).toBeUndefined();
    const providers = canary.provider.openstack as any[];
    expect(providers.map((p) => p.alias)).toEqual(aliases);
    for (const p of providers) {
      expect(p).toEqual({
        alias: p.alias,
        auth_url: expect.stringMatching(edgeUrl),
        user_name: 'canary-user',
        user_domain_id: 'default',
        password: '${var.canary_user_password}',
        tenant_name: projectOf(p.alias),
        project_domain_id: 'default',
      });
    }
  });

  test("every tenant resource is made by its own project's provider, none on another project's behalf", () => {
    const aliasOf = (project: string) => (project === plan.canary.multibyte.project ? 'multibyte' : project);
    const all = Object.entries(canary.resource).flatMap(([type, members]) =>
      Object.entries(members as object).map(([name, r]) => ({ type, name, r })),
    );
    expect(all.length).toBeGreaterThan(0);
    for (const { r } of all) {
      expect(r.provider).toMatch(/^openstack\.[a-z-]+$/);
      expect(r.tenant_id).toBeUndefined();
    }
    for (const s of plan.canary.servers) {
      const server = resources(canary, 'openstack_compute_instance_v2')[`server-${s.name}`];
      expect(server.provider).toBe(`openstack.${aliasOf(s.project)}`);
      // Its network is its own project's, made by the same provider.
      const network = server.network[0].uuid.match(/openstack_networking_network_v2\.([^.]+)\.id/)[1];
      expect(resources(canary, 'openstack_networking_network_v2')[network].provider).toBe(server.provider);
    }
    for (const c of plan.canary.containers) {
      expect(resources(canary, 'openstack_objectstorage_container_v1')[`container-${c.name}`].provider).toBe(`openstack.${c.project}`);
      for (const o of c.objects)
        expect(resources(canary, 'openstack_objectstorage_object_v1')[`object-${c.name}-${o.replace('.', '')}`].provider).toBe(
          `openstack.${c.project}`,
        );
    }
    for (const type of ['openstack_compute_instance_v2', 'openstack_networking_network_v2', 'openstack_objectstorage_container_v1']) {
      expect(Object.values(resources(canary, type)).filter((r: any) => r.provider === 'openstack.multibyte')).toHaveLength(1);
    }
  });

  test("creates no flavor and fixes no VLAN: production's restored flavors by name, VLANs as ML2 allocates them", () => {
    for (const stack of [admin, canary]) expect(resources(stack, 'openstack_compute_flavor_v2')).toEqual({});
    const networks = [admin, canary].flatMap((stack) => Object.values(resources(stack, 'openstack_networking_network_v2'))) as any[];
    // The canary projects', the Japanese-named project's, and Tempest's shared one (the admin's).
    expect(networks).toHaveLength(4);
    expect(networks.filter((n) => n.shared)).toEqual([expect.objectContaining({ name: 'tempest-shared', shared: true })]);
    expect(Object.values(resources(admin, 'openstack_networking_network_v2'))).toEqual([
      expect.objectContaining({ name: 'tempest-shared' }),
    ]);
    for (const net of networks) {
      expect(net.value_specs).toBeUndefined();
      expect(net.segments).toBeUndefined();
      expect(JSON.stringify(net)).not.toMatch(/segmentation|provider:/);
    }
    const servers = Object.values(resources(canary, 'openstack_compute_instance_v2')) as any[];
    expect(new Set(servers.map((s) => s.flavor_name))).toEqual(new Set(profile.compute.flavors.map((f) => f.name)));
    expect(servers.every((s) => s.flavor_id === undefined && s.depends_on === undefined)).toBe(true);
    expect(Object.values(resources(admin, 'openstack_images_image_v2'))).toEqual([
      expect.objectContaining({ name: 'canary-cirros', disk_format: 'qcow2', container_format: 'bare', visibility: 'public' }),
      expect.objectContaining({ name: plan.canary.multibyte.image, disk_format: 'qcow2', container_format: 'bare', visibility: 'public' }),
    ]);
  });

  test('VMs in every child cell, every flavor, both projects', () => {
    const servers = (Object.values(resources(canary, 'openstack_compute_instance_v2')) as any[]).filter(
      (s) => s.name !== plan.canary.multibyte.server,
    );
    for (const cell of profile.nova.cells) {
      const inCell = servers.filter((s) => s.scheduler_hints[0].target_cell === `api!${cell.name}`);
      expect(inCell.map((s) => s.flavor_name).sort()).toEqual(profile.compute.flavors.map((f) => f.name).sort());
    }
    expect(new Set(servers.map((s) => s.metadata.project))).toEqual(new Set(['canary-a', 'canary-b']));
  });

  test('Swift containers with objects, and an inventory output of everything', () => {
    expect(Object.keys(resources(canary, 'openstack_objectstorage_object_v1'))).toHaveLength(5);
    const inventory = canary.output.inventory.value;
    expect(Object.keys(inventory).sort()).toEqual(['image', 'imageChecksum', 'multibyte', 'networks', 'objects', 'projects', 'servers']);
    expect(inventory.imageChecksum).toMatch(
      /^\$\{data\.terraform_remote_state\.cross-stack-reference-input-canary-projects\.outputs\.[^}]+\}$/,
    );
    expect(Object.keys(inventory.servers)).toHaveLength(profile.nova.cells.length * profile.compute.flavors.length);
    // The projects, also the admin part's own output: what the canary user is given its roles in.
    expect(Object.keys(inventory.projects)).toEqual([...plan.canary.projects, plan.canary.multibyte.project]);
    expect(Object.keys(admin.output.inventory.value.projects)).toEqual(Object.keys(inventory.projects));
  });

  test('one project, network, server, image and object with Japanese names, in the inventory too', () => {
    const names = plan.canary.multibyte;
    const named = (stack: any, type: string, name: string) =>
      (Object.values(resources(stack, type)) as any[]).filter((r) => r.name === name);
    expect(named(admin, 'openstack_identity_project_v3', names.project)).toHaveLength(1);
    expect(named(canary, 'openstack_networking_network_v2', names.network)).toHaveLength(1);
    expect(named(canary, 'openstack_compute_instance_v2', names.server)[0].scheduler_hints[0].target_cell).toBe(`api!${names.cell}`);
    expect(named(admin, 'openstack_images_image_v2', names.image)).toHaveLength(1);
    expect(named(canary, 'openstack_objectstorage_object_v1', names.object)[0].container_name).toMatch(/container-multibyte/);
    for (const name of [names.project, names.network, names.server, names.image, names.container, names.object]) {
      // Three bytes a character in UTF-8: the characters that broke Horizon.
      expect([...name].some((c) => Buffer.byteLength(c) === 3)).toBe(true);
    }
    const inventory = canary.output.inventory.value;
    expect(Object.keys(inventory.multibyte).sort()).toEqual(['image', 'network', 'object', 'server']);
    expect(admin.output.inventory.value.projects[names.project]).toBe('${openstack_identity_project_v3.project-multibyte.id}');
  });
});

test('a 24-cell cloud gets canaries in every cell', () => {
  const { profile, plan } = planShape('24 cells');
  const cells = new Set(plan.canary.servers.map((s) => s.cell));
  expect(cells.size).toBe(24);
  expect(plan.canary.servers).toHaveLength(24 * profile.compute.flavors.length);
});

describe('the checks before and after the canary (runbook/checks.ts)', () => {
  test("production's flavors must be there once each", () => {
    const listed = [{ Name: 'm1.small' }, { Name: 'm1.large' }, { Name: 'm1.large' }];
    expect(flavorProblems(['m1.small'], listed)).toEqual([]);
    expect(flavorProblems(['m1.small', 'm1.medium', 'm1.large'], listed)).toEqual([
      'flavor m1.medium: not in the restored database',
      'flavor m1.large: 2 flavors of that name (a look-up by name is ambiguous)',
    ]);
  });

  test("the clouds.yaml entry's auth_url, which wins over the stack's, is absent or the edge's", () => {
    const edge = 'http://203.0.113.10:5000/v3';
    expect(canaryAuthProblem({ 'auth.username': 'admin' }, edge)).toBeUndefined();
    expect(canaryAuthProblem({ 'auth.auth_url': 'http://203.0.113.10:5000/v3/' }, edge)).toBeUndefined();
    expect(canaryAuthProblem({ auth: { auth_url: 'https://keystone.prod.example:5000/v3' } }, edge)).toMatch(/wins over the edge's/);
  });

  test('the seed checks the entry and the flavors before it creates the canary', () => {
    const ids = stepsFor('reference').map((s) => s.id);
    expect(ids.indexOf('seed.canary-auth')).toBeLessThan(ids.indexOf('seed.canary'));
    expect(ids.indexOf('seed.flavors')).toBeLessThan(ids.indexOf('seed.canary'));
    for (const phase of ['verify-upgrade-1', 'verify-rollback', 'verify-upgrade-2']) expect(ids).toContain(`${phase}.canary-image`);
  });
});

test('checks-cli image: the image read back after a switch has the checksum Glance recorded, or the step fails', () => {
  const dir = mkdtempSync(join(tmpdir(), 'canary-image-'));
  const data = Buffer.from('QFI\xfb canary image bytes');
  writeFileSync(join(dir, 'image'), data);
  const outputs = { canary: { inventory: { image: 'id-1', imageChecksum: createHash('md5').update(data).digest('hex') } } };
  writeFileSync(join(dir, 'canary.json'), JSON.stringify(outputs));
  const check = () =>
    spawnSync(
      process.execPath,
      ['-r', './bin/register.js', 'runbook/checks-cli.ts', 'image', join(dir, 'image'), join(dir, 'canary.json')],
      {
        cwd: join(__dirname, '..'),
        encoding: 'utf8',
      },
    );
  expect(check()).toMatchObject({ status: 0, stdout: expect.stringContaining("the canary image's data is intact") });
  writeFileSync(join(dir, 'image'), Buffer.concat([data, Buffer.from('x')]));
  expect(check()).toMatchObject({ status: 1, stdout: expect.stringContaining('canary: image data ') });
});

test('a file:// canary image is read from the operator machine (local_file_path), a URL is downloaded', () => {
  const config = target('aws', { canary: { cloudName: 'staging-inside', imageUrl: 'file:///srv/images/cirros%200.3.4.img' } });
  const image = Object.values(
    resources(synthesize(buildPlan(loadProfile(), config), config).stacks['canary-projects'], 'openstack_images_image_v2'),
  )[0] as any;
  expect([image.local_file_path, image.image_source_url]).toEqual(['/srv/images/cirros 0.3.4.img', undefined]);
});
