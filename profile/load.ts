/**
 * Loads a production profile: YAML -> schema -> consistency rules -> the
 * log-ignore patterns it references.
 */
import { dirname, join, resolve } from 'node:path';
import { checkConsistency } from './consistency';
import { InputError } from './errors';
import { profileSchema, type Profile } from './schema';
import { parseYaml, readInput, validate } from './validate';

/** The embedded default: the reference cloud of the brief. */
export const REFERENCE_PROFILE = join(__dirname, 'reference.yaml');

/** Reads and validates a profile file. Throws InputError on any problem. */
export function loadProfile(file: string = REFERENCE_PROFILE): Profile {
  const source = resolve(file);
  return parseProfile(readInput(source, 'profile'), source);
}

/** Validates profile text; `source` names it in errors and anchors relative paths. */
export function parseProfile(text: string, source: string): Profile {
  const parsed = validate(profileSchema, parseYaml(text, source), source);
  checkConsistency(parsed, source);
  const logIgnorePatterns = readPatterns(resolve(dirname(source), parsed.monitoring.logIgnorePatterns), source);
  return { ...parsed, source, logIgnorePatterns };
}

function readPatterns(file: string, source: string): string[] {
  let text: string;
  try {
    text = readInput(file, 'log-ignore pattern file');
  } catch (e) {
    throw new InputError(source, 'monitoring.logIgnorePatterns', (e as InputError).reason + ` (${file})`);
  }
  const patterns: string[] = [];
  text.split('\n').forEach((line, i) => {
    if (line.trim() === '' || line.startsWith('#')) return;
    if (/[$%]\{/.test(line)) {
      // The list travels inside Terraform strings (user data), where these start an interpolation.
      throw new InputError(
        source,
        'monitoring.logIgnorePatterns',
        `line ${i + 1} of ${file} holds '\${' or '%{'; write '\\$\\{' or '%\\{' instead`,
      );
    }
    try {
      new RegExp(line);
    } catch {
      throw new InputError(source, 'monitoring.logIgnorePatterns', `line ${i + 1} of ${file} is not a regular expression`);
    }
    patterns.push(line);
  });
  return patterns;
}
