/**
 * Reads a YAML document against a zod schema and turns the first violation into
 * an InputError naming the field. Shared by the profile and the target config.
 */
import { readFileSync } from 'node:fs';
import type { ZodType, ZodTypeDef } from 'zod';
import { InputError, fieldPath } from './errors';
import { parseDocument } from 'yaml';

/** Parses YAML text; a syntax error becomes an InputError with the line. */
export function parseYaml(text: string, source: string): unknown {
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const err = doc.errors[0];
    const line = err.linePos?.[0]?.line;
    throw new InputError(source, line ? `line ${line}` : '(document)', `not valid YAML: ${err.message.split('\n')[0]}`);
  }
  return doc.toJS();
}

/** Reads a file, or fails with an InputError naming it. */
export function readInput(file: string, what: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    throw new InputError(file, '(file)', `cannot read the ${what}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
}

/** Validates `data` with `schema`; the first issue becomes an InputError. */
export function validate<Out, In>(schema: ZodType<Out, ZodTypeDef, In>, data: unknown, source: string): Out {
  const result = schema.safeParse(data);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  let reason = issue.message;
  if (issue.code === 'unrecognized_keys') reason = `unknown field(s) ${issue.keys.map((k) => `'${k}'`).join(', ')}`;
  if (issue.code === 'invalid_type' && issue.received === 'undefined') reason = `is required (${issue.expected})`;
  const more = result.error.issues.length > 1 ? ` (and ${result.error.issues.length - 1} more issue(s))` : '';
  throw new InputError(source, fieldPath(issue.path), reason + more);
}
