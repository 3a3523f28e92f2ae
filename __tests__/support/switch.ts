/** The active-side switch, checked the same way on every cloud. */
import type { StackJson } from './synth';

export interface ListenerShape {
  /** Resource type of a listener, e.g. `aws_lb_listener`. */
  readonly type: string;
  /** Where a listener says which side it forwards to. */
  readonly target: (listener: any) => string;
  /** The reference a listener of `api` holds when it forwards to `side`. */
  readonly group: (side: 'old' | 'new', api: string) => string;
}

/**
 * Stacks synthesized with the old side active, then the new: the only difference is
 * the default of the edge's `active_side` variable; nothing but the edge's listeners
 * reads that variable, and each listener forwards to its API's new-side group when
 * it is `new` and to the old side's otherwise. (That a plan with the other value
 * changes the listeners only, destroying nothing, is checked by real Terraform in
 * the local deploy test.)
 */
export function expectOnlyListenersMove(before: Record<string, StackJson>, after: Record<string, StackJson>, shape: ListenerShape): void {
  for (const name of Object.keys(before).filter((n) => n !== 'edge')) {
    expect([name, JSON.stringify(after[name])]).toEqual([name, JSON.stringify(before[name])]);
    expect([name, JSON.stringify(before[name]).includes('var.active_side')]).toEqual([name, false]);
  }
  expect(before.edge.variable.active_side.default).toBe('old');
  expect(after.edge.variable.active_side.default).toBe('new');
  expect({ ...after.edge, variable: undefined }).toEqual({ ...before.edge, variable: undefined });

  const edge = before.edge.resource;
  for (const type of Object.keys(edge).filter((t) => t !== shape.type)) {
    expect([type, JSON.stringify(edge[type]).includes('var.active_side')]).toEqual([type, false]);
  }
  const listeners = Object.entries(edge[shape.type]) as [string, any][];
  expect(listeners).toHaveLength(6);
  for (const [id, listener] of listeners) {
    const api = id.replace('listener-', '');
    expect(shape.target(listener)).toBe(`\${(var.active_side == "new") ? ${shape.group('new', api)} : ${shape.group('old', api)}}`);
  }
}
