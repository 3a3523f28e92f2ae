/** Name of the edge stack's variable holding the side it serves (plain data: the runbook reads it without cdktf). */
export const ACTIVE_SIDE_VARIABLE = 'active_side';
