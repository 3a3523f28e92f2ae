/**
 * Members of `for_each` resources, addressed as Terraform does
 * (`aws_instance.nodes["old-keystone-1"].id`): the targets key them by the plan's
 * names, so an expression is built from the name instead of a token per member.
 */
import type { TerraformResource } from 'cdktf';

/** The expression of a member's attribute, by key, for one `for_each` resource. */
export function memberExpressions(resource: TerraformResource): (key: string, attribute: string) => string {
  // cdktf computes the logical id at each read: once per resource here.
  const address = `${resource.terraformResourceType}.${resource.friendlyUniqueId}`;
  return (key, attribute) => `${address}["${key}"].${attribute}`;
}

/** An expression as a Terraform interpolation inside a string. */
export const interpolate = (expression: string): string => `\${${expression}}`;
