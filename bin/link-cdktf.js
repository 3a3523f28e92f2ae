/**
 * Postinstall: points node_modules/.bin/cdktf at bin/cdktf.js, which runs cdktf-cli's own
 * command and keeps exit code 2 for a refused input. npm links each package's bins before
 * the project's own postinstall runs and never replaces another package's link, so a
 * wrapper package cannot take the name on a clean `npm ci`; the project's postinstall can.
 * Only cdktf-cli's link (or this project's) is replaced; anything else is left as it is.
 */
'use strict';
const { lstatSync, readlinkSync, symlinkSync, unlinkSync } = require('node:fs');
const { join, relative, resolve, dirname } = require('node:path');

const root = join(__dirname, '..');
const link = join(root, 'node_modules', '.bin', 'cdktf');
const wrapper = join(root, 'bin', 'cdktf.js');

function current() {
  try {
    if (!lstatSync(link).isSymbolicLink()) return 'other';
  } catch {
    return 'absent';
  }
  const to = resolve(dirname(link), readlinkSync(link));
  if (to === wrapper) return 'ours';
  return to.startsWith(join(root, 'node_modules', 'cdktf-cli') + '/') ? 'cdktf-cli' : 'other';
}

const state = current();
// Absent: cdktf-cli is not installed (npm ci --omit=dev), and there is nothing to wrap.
if (state === 'cdktf-cli') {
  unlinkSync(link);
  symlinkSync(relative(dirname(link), wrapper), link);
} else if (state === 'other') {
  process.stderr.write(`warning: ${relative(root, link)} is not cdktf-cli's; left as it is (npx cdktf exits 1 on bad input)\n`);
}
