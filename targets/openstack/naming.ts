/** Names and tags of the OpenStack resources of a rehearsal: every name within the rehearsal, every resource tagged. */
import type { StagingPlan } from '../../plan/types';

export interface OpenstackNaming {
  /** A cloud-side name within the rehearsal. */
  readonly name: (suffix: string) => string;
  /** Tags of a resource of a node (or of anything with a side and role). */
  readonly tags: (what: { side: string; role: string; cell?: string }) => string[];
}

export const openstackNaming = (plan: StagingPlan): OpenstackNaming => ({
  name: (suffix) => `${plan.rehearsalId}-${suffix}`,
  tags: (what) => [`rehearsal=${plan.rehearsalId}`, `side=${what.side}`, `role=${what.role}`, `cell=${what.cell ?? 'none'}`],
});
