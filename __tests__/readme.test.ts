/**
 * What the README tells an operator to type is what the tool runs: the hand-written
 * deploy sequence of "Deploy, rehearse, tear down" is the runbook's own, in its order
 * (the runbook adds its timing and log options and its work folder).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { stepsFor } from './support/runbook';

const README = readFileSync(join(__dirname, '..', 'README.md'), 'utf8');

/** The first sh block after a heading, as commands (comments and blank lines dropped). */
function shBlockAfter(heading: string): string[] {
  const at = README.indexOf(`\n${heading}\n`);
  if (at < 0) throw new Error(`README has no heading ${heading}`);
  const block = /```sh\n([\s\S]*?)```/.exec(README.slice(at))![1];
  return block
    .split('\n')
    .map((l) => l.replace(/\s+#.*$/, '').trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
}

/** A command reduced to what it does: a stacks deploy with its stacks, an asset script, or the synth/assets commands. */
function gist(full: string): string | undefined {
  // An environment given first (`TF_VAR_…="$(…)" env -u OS_CLOUD … npm run …`) is not what the command does.
  const command = full.replace(/^(?:[A-Za-z_]+="[^"]*" )*env (?:-u \S+ )*/, '');
  const deploy = /^npm run stacks -- deploy ((?:[a-z][a-z-]* ?)+)/.exec(command);
  if (deploy) return `deploy ${deploy[1].trim()}`;
  const script = /^bash \S*?((?:secrets|rings)\/[a-z-]+\.sh)/.exec(command);
  if (script) return `script ${script[1]}`;
  if (/^npm run (synth|assets)\b/.test(command)) return command.split(' ').slice(0, 3).join(' ');
  return undefined;
}

test("the README's deploy sequence is the runbook's, in the runbook's order", () => {
  const readme = shBlockAfter('## Deploy, rehearse, tear down')
    .map(gist)
    .filter((g): g is string => g !== undefined);
  expect(readme.length).toBeGreaterThanOrEqual(6);
  const runbook = stepsFor('reference')
    .flatMap((s) => s.commands)
    .map(gist)
    .filter((g): g is string => g !== undefined);
  // Each README command appears in the runbook after the previous one.
  let from = 0;
  for (const g of readme) {
    const at = runbook.indexOf(g, from);
    expect([g, at >= 0]).toEqual([g, true]);
    from = at + 1;
  }
});

test('the comparison sees a command the runbook does not run (it can fail)', () => {
  expect(gist('npm run stacks -- deploy foundation edge')).toBe('deploy foundation edge');
  expect(
    stepsFor('reference')
      .flatMap((s) => s.commands)
      .map(gist),
  ).not.toContain('deploy foundation edge');
});

test("the README's step count is the reference runbook's", () => {
  expect(/# print every step \((\d+) for the reference\)/.exec(README)?.[1]).toBe(String(stepsFor('reference').length));
});
