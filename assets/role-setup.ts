/** What a role adds to a node's cloud-config: the shapes shared by the cloud-config writer and every role's setup. */

export interface WriteFile {
  readonly path: string;
  readonly content: string;
  readonly owner: string;
  readonly permissions: string;
}

/** What a role adds to its cloud-config. */
export interface RoleSetup {
  readonly packages: readonly string[];
  readonly writeFiles: readonly WriteFile[];
  readonly runcmd: readonly (readonly string[])[];
}
