/**
 * Checks synthesized stacks against the OpenStack provider's schema kept in the repo
 * (targets/openstack/provider-schema.json): every openstack_* resource and data source
 * exists, every argument exists and is settable, every required one is set, nested and
 * dynamic blocks alike.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { StackJson } from './synth';

export const OPENSTACK_SCHEMA = JSON.parse(readFileSync(join(__dirname, '../../targets/openstack/provider-schema.json'), 'utf8'))
  .provider_schemas['registry.terraform.io/terraform-provider-openstack/openstack'];

const META = new Set(['//', 'depends_on', 'count', 'for_each', 'lifecycle', 'provider', 'connection', 'provisioner']);

/** What is wrong with `body` as an instance of the schema `block`, each problem prefixed by `where`. */
export function blockProblems(block: any, body: Record<string, any>, where: string): string[] {
  const problems: string[] = [];
  const attrs = block.attributes ?? {};
  const nested = block.block_types ?? {};
  for (const [key, value] of Object.entries(body)) {
    if (META.has(key)) continue;
    if (key === 'dynamic') {
      // A dynamic block generates blocks of its name from its content.
      for (const [name, dynamic] of Object.entries<any>(value)) {
        if (!nested[name]) problems.push(`${where}.dynamic.${name} is not a block of the schema`);
        else problems.push(...blockProblems(nested[name].block, dynamic.content, `${where}.dynamic.${name}`));
      }
    } else if (attrs[key]) {
      if (attrs[key].computed && !attrs[key].optional && !attrs[key].required) problems.push(`${where}.${key} is read-only`);
    } else if (nested[key]) {
      for (const [i, item] of (Array.isArray(value) ? value : [value]).entries())
        problems.push(...blockProblems(nested[key].block, item, `${where}.${key}[${i}]`));
    } else problems.push(`${where}.${key} is not in the schema`);
  }
  for (const [key, a] of Object.entries<any>(attrs)) if (a.required && !(key in body)) problems.push(`${where}.${key} is required`);
  return problems;
}

/** Every openstack_* resource and data source of the stacks, with where it is. */
export function openstackBodies(stacks: Record<string, StackJson>) {
  return Object.entries(stacks).flatMap(([stack, json]) =>
    (['resource', 'data'] as const).flatMap((kind) =>
      Object.entries((json[kind] ?? {}) as Record<string, Record<string, any>>)
        .filter(([type]) => type.startsWith('openstack_'))
        .flatMap(([type, byId]) => Object.entries(byId).map(([id, body]) => ({ stack, kind, type, id, body }))),
    ),
  );
}

/** The problems of every openstack_* block of the stacks against the schema. */
export function schemaProblems(stacks: Record<string, StackJson>): string[] {
  return openstackBodies(stacks).flatMap(({ stack, kind, type, id, body }) => {
    const schemas = OPENSTACK_SCHEMA[kind === 'resource' ? 'resource_schemas' : 'data_source_schemas'];
    return schemas[type] ? blockProblems(schemas[type].block, body, `${stack}/${type}.${id}`) : [`${kind} ${type} is not in the schema`];
  });
}
