/**
 * cdktf entry point: profile -> plan -> stacks. Inputs come from the environment
 * (STAGING_PROFILE, STAGING_TARGET, STAGING_TARGET_CONFIG, STAGING_ACTIVE_SIDE);
 * with none set it synthesizes the reference cloud on AWS. The plan is validated
 * before any stack exists, so bad input writes nothing to cdktf.out.
 */
import { App } from 'cdktf';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { contextLine, inputsFrom, planFrom, runCli, SYNTH_CONTEXT_FILE, synthContext } from './bin/cli';
import { buildStacks } from './stacks/app';
import { withCloudTarget } from './targets';
import { nodeUserData } from './stacks/user-data';
import { writeProviderLocks } from './targets/openstack/provider-lock';

runCli(() => {
  const inputs = inputsFrom({});
  const { plan, target } = planFrom(inputs, process.env.STAGING_ACTIVE_SIDE);
  // Which inputs this synthesis used, on stderr (cdktf.out and stdout stay the stacks' alone).
  process.stderr.write(contextLine(plan, inputs, target) + '\n');
  const app = new App();
  withCloudTarget(plan, target, (cloud) => buildStacks(app, { plan, target: cloud, config: target, userData: nodeUserData(plan, target) }));
  app.synth();
  // The OpenStack provider's committed lock, so that `terraform init` installs only the package it names.
  writeProviderLocks(app.outdir);
  writeFileSync(join(app.outdir, SYNTH_CONTEXT_FILE), JSON.stringify(synthContext(plan, inputs, target), null, 2) + '\n');
});
