/**
 * npm run assets -- [--profile FILE] [--target aws|openstack] [--target-config FILE] --out DIR
 * Writes every bootstrap asset of the plan for review: one cloud-init document per
 * node, and per side the Swift ring script, the cells linking script and the
 * cells_config files. The plan and every asset are rendered before anything is
 * written, so bad input leaves DIR untouched.
 */
import { InputError } from '../profile/errors';
import { assetOptionsFor } from '../assets/options';
import { reviewDevicePath } from '../assets/devices';
import { hostDocuments } from '../assets/host-documents';
import { renderAssets } from '../assets/render';
import { writeAssets } from '../assets/write';
import { COMMON_OPTIONS, inputsFrom, parseArgs, planFrom, runCli } from './cli';

const USAGE = `usage: npm run assets -- [options] --out DIR

Writes every bootstrap asset of the plan, to read before deploying: one cloud-init
document per node (and per hypervisor host, with the files it fetches, where the
nodes are KVM guests), per side the Swift ring script, the cells linking script and the
cells_config files, and the secrets script. Bad input leaves DIR untouched.

Options:
  --out DIR               where to write (required; replaced whole)
  --profile FILE          production profile (default: STAGING_PROFILE, else the reference)
  --target aws|openstack  target cloud (default: STAGING_TARGET, else aws)
  --target-config FILE    target config (default: STAGING_TARGET_CONFIG, else the target's own)
  -h, --help              this text

Environment: STAGING_PROFILE, STAGING_TARGET, STAGING_TARGET_CONFIG.
Exit status: 0 written, 2 bad input (one line per problem: file, field, reason).`;

runCli(() => {
  const { values } = parseArgs({ options: { ...COMMON_OPTIONS, out: { type: 'string' } }, strict: true });
  if (values.help) {
    process.stdout.write(USAGE + '\n');
    return;
  }
  if (!values.out) throw new InputError('--out', 'out', 'is required: the directory to write the assets into (npm run assets -- --help)');
  const { plan, target } = planFrom(inputsFrom(values), process.env.STAGING_ACTIVE_SIDE);
  // Hosts see their guests' volumes under the cloud's by-id names: the review names them by guest and volume.
  const hosts = plan.placement.kind === 'hypervisors' ? hostDocuments(plan, target) : undefined;
  const review = reviewDevicePath(target.cloud);
  const assets = renderAssets(
    plan,
    assetOptionsFor(plan, target),
    hosts && ((host) => hosts(host, { hostDevicePath: review, publicKeys: [] })),
  );
  writeAssets(values.out, assets);
  process.stdout.write(`${assets.length} assets of ${plan.rehearsalId} written to ${values.out}\n`);
});
