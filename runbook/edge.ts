/**
 * Cut-over and rollback: a deploy of the edge stack alone with the side to
 * serve. It changes the listeners' forward actions and destroys nothing.
 */
import type { Side } from '../plan/types';

export const edgeCommand = (side: Side): string =>
  `STAGING_ACTIVE_SIDE=${side} npx cdktf deploy edge --ignore-missing-stack-dependencies --auto-approve`;

export const CUT_OVER = edgeCommand('new');
export const ROLL_BACK = edgeCommand('old');
