/**
 * The one rule for every command: bad input prints one line per problem naming the
 * file, the field and the reason, and exits 2 with no stack trace; a closed pipe ends
 * the command quietly. Loads nothing but the error class, so that commands which do
 * not plan (npm run stacks) do not load the planner.
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { InputError } from '../profile/errors';

/**
 * Ends the command on a refused input: the lines on stderr, and for `npx cdktf` (whose own
 * exit code is always 1 when its app fails) the same lines in the file bin/cdktf.js asks for.
 */
function refuse(lines: string): never {
  process.stderr.write(lines);
  if (process.env.STAGING_REFUSAL_FILE) writeFileSync(process.env.STAGING_REFUSAL_FILE, lines);
  process.exit(2);
}

/** Runs a command body; input errors print one line and exit 2. */
export function runCli(body: () => void | Promise<void>): void {
  const fail = (e: unknown): never => {
    if (e instanceof InputError) refuse(e.message.replace(/^/gm, 'error: ') + '\n');
    if (e instanceof TypeError && (e as NodeJS.ErrnoException).code?.startsWith('ERR_PARSE_ARGS')) {
      refuse(`error: ${e.message}\n`);
    }
    throw e;
  };
  // A closed pipe (`| head`) ends the command quietly, as for any Unix tool.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(0);
    throw e;
  });
  try {
    const result = body();
    if (result instanceof Promise) result.catch(fail);
  } catch (e) {
    fail(e);
  }
}

export { parseArgs };
