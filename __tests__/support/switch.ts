/** The active-side switch, checked the same way on every cloud. */
import type { StackJson } from './synth';

export interface ListenerShape {
  /** Resource type of a listener, e.g. `aws_lb_listener`. */
  readonly type: string;
  /** Where a listener says which side it forwards to. */
  readonly target: (listener: any) => string;
  /** The reference a listener of `api` holds when it forwards to `side`. */
  readonly expected: (side: 'old' | 'new', api: string) => string;
}

/**
 * Stacks synthesized with the old side active, then the new: nothing outside the
 * edge stack differs, no resource appears or disappears, and inside the edge only
 * the listeners change, each from the old side's group to the new side's.
 */
export function expectOnlyListenersMove(before: Record<string, StackJson>, after: Record<string, StackJson>, shape: ListenerShape): void {
  for (const name of Object.keys(before).filter((n) => n !== 'edge')) {
    expect([name, JSON.stringify(after[name])]).toEqual([name, JSON.stringify(before[name])]);
  }
  const edgeBefore = before.edge.resource;
  const edgeAfter = after.edge.resource;
  for (const type of Object.keys(edgeBefore)) {
    expect(Object.keys(edgeAfter[type])).toEqual(Object.keys(edgeBefore[type]));
    if (type !== shape.type) expect(edgeAfter[type]).toEqual(edgeBefore[type]);
  }
  const listeners = Object.entries(edgeBefore[shape.type]) as [string, any][];
  expect(listeners).toHaveLength(6);
  for (const [id, listener] of listeners) {
    const api = id.replace('listener-', '');
    expect(shape.target(listener)).toBe(shape.expected('old', api));
    expect(shape.target(edgeAfter[shape.type][id])).toBe(shape.expected('new', api));
  }
}
