/**
 * Reads a YAML document against a zod schema and turns its violations into one
 * InputError naming each field. Shared by the profile and the target config.
 */
import { readFileSync } from 'node:fs';
import {
  ZodArray,
  ZodDefault,
  ZodDiscriminatedUnion,
  ZodEffects,
  ZodNullable,
  ZodObject,
  ZodOptional,
  ZodRecord,
  type ZodType,
  type ZodTypeAny,
  type ZodTypeDef,
} from 'zod';
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

/** The object schema at a path of the document, for the field names it knows (undefined where it cannot tell). */
function knownKeysAt(schema: ZodTypeAny, path: readonly (string | number)[], data: unknown): string[] | undefined {
  let at: ZodTypeAny | undefined = schema;
  let value: unknown = data;
  const unwrap = (s: ZodTypeAny): ZodTypeAny => {
    for (;;) {
      if (s instanceof ZodEffects) s = s.innerType();
      else if (s instanceof ZodDiscriminatedUnion) {
        // The option the document's own discriminator value picks.
        const option = s.optionsMap.get((value as Record<string, unknown> | undefined)?.[s.discriminator] as string);
        if (!option) return s;
        s = option;
      } else if (s instanceof ZodOptional || s instanceof ZodNullable) s = s.unwrap();
      else if (s instanceof ZodDefault) s = s.removeDefault();
      else return s;
    }
  };
  for (const part of path) {
    const s: ZodTypeAny = unwrap(at!);
    value = (value as Record<string | number, unknown> | undefined)?.[part];
    if (s instanceof ZodObject) at = (s.shape as Record<string, ZodTypeAny>)[String(part)];
    else if (s instanceof ZodArray) at = s.element;
    else if (s instanceof ZodRecord) at = s.valueSchema;
    else return undefined;
    if (!at) return undefined;
  }
  const s = unwrap(at!);
  return s instanceof ZodObject ? Object.keys(s.shape) : undefined;
}

/** Edit distance of two short names (insertions, deletions, substitutions). */
function distance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++) next[j] = Math.min(row[j] + 1, next[j - 1] + 1, row[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    row = next;
  }
  return row[b.length];
}

/** The known name a typo most likely meant: within a third of its length in edits, or a case-insensitive match. */
export function didYouMean(name: string, known: readonly string[]): string | undefined {
  const scored = known.map((k) => ({ k, d: k.toLowerCase() === name.toLowerCase() ? 0 : distance(name, k) })).sort((x, y) => x.d - y.d);
  return scored.length > 0 && scored[0].d <= Math.max(1, Math.floor(name.length / 3)) ? scored[0].k : undefined;
}

/**
 * Validates `data` with `schema`. Every problem is reported at once, one line each
 * (unknown fields first, each with the field it most likely meant): a typo'd key
 * is named as such rather than hidden behind the required field it misses.
 */
export function validate<Out, In>(schema: ZodType<Out, ZodTypeDef, In>, data: unknown, source: string): Out {
  const result = schema.safeParse(data);
  if (result.success) return result.data;
  const issues = [...result.error.issues].sort((a, b) => Number(b.code === 'unrecognized_keys') - Number(a.code === 'unrecognized_keys'));
  const problems = issues.flatMap((issue) => {
    if (issue.code === 'unrecognized_keys') {
      const known = knownKeysAt(schema as unknown as ZodTypeAny, issue.path, data) ?? [];
      return issue.keys.map((key) => {
        const meant = didYouMean(key, known);
        return {
          field: fieldPath([...issue.path, key]),
          reason: `unknown field${meant ? `: did you mean '${meant}'?` : known.length ? ` (known here: ${known.join(', ')})` : ''}`,
        };
      });
    }
    const reason = issue.code === 'invalid_type' && issue.received === 'undefined' ? `is required (${issue.expected})` : issue.message;
    return [{ field: fieldPath(issue.path), reason }];
  });
  throw new InputError(source, problems[0].field, problems[0].reason, problems.slice(1));
}
