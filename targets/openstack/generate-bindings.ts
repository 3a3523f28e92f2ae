/**
 * Regenerates the CDK for Terraform bindings of terraform-provider-openstack/openstack
 * (3.x) in `.gen/providers/openstack/` (where `cdktf get` puts them, named in
 * cdktf.json) from the provider schema kept in
 * `targets/openstack/provider-schema.json` (the output format of
 * `terraform providers schema -json`).
 *
 *   npm run bindings -- [outDir]
 *
 * This is the code path of `cdktf get` for a TypeScript project, minus the parts
 * that need a terraform binary and the registry: the same `TerraformProviderGenerator`
 * of @cdktf/provider-generator, fed the same kind of provider target
 * (`source@constraint`), writes into a staging directory; its
 * `providers/openstack/` tree is then copied to the output directory. The output
 * is a pure function of the schema file (no timestamps, no versions read from a
 * lock file), so regenerating gives byte-identical files; a test checks it.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CodeMaker } from 'codemaker';
import { ConstructsMakerProviderTarget, Language, TerraformProviderConstraint, type ProviderSchema } from '@cdktf/commons';
import { TerraformProviderGenerator } from '@cdktf/provider-generator';

export const SCHEMA_PATH = path.join(__dirname, 'provider-schema.json');
export const BINDINGS_DIR = path.join(__dirname, '..', '..', '.gen', 'providers', 'openstack');
/** What a cdktf.json `terraformProviders` entry would say; ends up in the generated provider class. */
export const PROVIDER_CONSTRAINT = 'terraform-provider-openstack/openstack@= 3.4.0';

/** Reads and minimally validates the schema file. */
export function readSchema(schemaPath: string = SCHEMA_PATH): ProviderSchema {
  // Terraform >= 1.0 writes format_version "1.0"; the cdktf type still lists only 0.1/0.2.
  const doc = JSON.parse(fs.readFileSync(schemaPath, 'utf8')) as { format_version?: string; provider_schemas?: unknown };
  if (doc.format_version !== '1.0' || typeof doc.provider_schemas !== 'object' || doc.provider_schemas === null) {
    throw new Error(`${schemaPath}: not a 'terraform providers schema -json' document`);
  }
  return doc as ProviderSchema;
}

/** Relative paths (POSIX separators) of every file under `dir`, sorted. */
export function listFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (rel: string) => {
    for (const entry of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
      const child = rel ? `${rel}/${entry.name}` : entry.name;
      if (entry.isDirectory()) walk(child);
      else out.push(child);
    }
  };
  walk('');
  return out.sort();
}

/**
 * Generates the bindings into `outDir` (replacing its content) and returns the
 * relative paths of the files written.
 */
export async function generateBindings(outDir: string = BINDINGS_DIR, schemaPath: string = SCHEMA_PATH): Promise<string[]> {
  const schema = readSchema(schemaPath);
  const code = new CodeMaker();
  const generator = new TerraformProviderGenerator(code, schema);
  const constraint = new TerraformProviderConstraint(PROVIDER_CONSTRAINT);
  generator.generate(new ConstructsMakerProviderTarget(constraint, Language.TYPESCRIPT));

  const staging = fs.mkdtempSync(path.join(os.tmpdir(), 'openstack-bindings-'));
  try {
    await code.save(staging);
    const generated = path.join(staging, 'providers', constraint.name);
    if (!fs.existsSync(path.join(generated, 'index.ts'))) {
      throw new Error(`the generator wrote no providers/${constraint.name}/index.ts`);
    }
    fs.rmSync(outDir, { recursive: true, force: true });
    fs.mkdirSync(path.dirname(outDir), { recursive: true });
    fs.cpSync(generated, outDir, { recursive: true });
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
  }
  return listFiles(outDir);
}

if (require.main === module) {
  const outDir = path.resolve(process.argv[2] ?? BINDINGS_DIR);
  const started = Date.now();
  generateBindings(outDir).then(
    (files) => {
      const rel = path.relative(process.cwd(), outDir) || '.';
      console.log(`wrote ${files.length} files to ${rel} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    },
    (err: unknown) => {
      console.error(err instanceof Error ? err.message : err);
      process.exitCode = 1;
    },
  );
}
