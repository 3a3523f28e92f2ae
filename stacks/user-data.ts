/**
 * Bootstrap user data of each node, rendered from the plan by the assets once the
 * target knows the volumes' device paths and the assets bucket's name.
 */
import { assetOptionsFor } from '../assets/options';
import { devicePathsFrom } from '../assets/devices';
import { userDataParts } from '../assets/user-data-limit';
import { InputError } from '../profile/errors';
import type { NodePlan, StagingPlan } from '../plan/types';
import type { TargetConfig } from '../targets/config';
import type { Foundation, UserDataFor } from '../targets/target';

export type NodeUserData = (node: NodePlan, foundation: Foundation) => UserDataFor;

export function nodeUserData(plan: StagingPlan, target: TargetConfig): NodeUserData {
  return (node, foundation) => (paths) => {
    const options = assetOptionsFor(plan, target, { assetsBucket: foundation.buckets.assets, devicePath: devicePathsFrom(paths) });
    const parts = userDataParts(plan, node, options);
    if (parts.bucketObjects.length > 0) {
      // Uploading the moved files is not wired into the stacks yet: refuse rather than boot a half-configured node.
      throw new InputError(target.source, `nodes.${node.name}`, `its user data is over the cloud's limit and would need ${parts.bucketObjects.length} files in the assets bucket, which the stacks do not upload yet; use a smaller scale`);
    }
    return parts.inline;
  };
}
