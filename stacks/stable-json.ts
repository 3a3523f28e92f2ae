/**
 * The text json-stable-stringify 1.3 (what cdktf 0.21 writes stack documents with)
 * gives for `{ space: 2 }`, written faster: that package is plain JavaScript and
 * took a tenth of a one-to-one clone's synthesis.
 */

/**
 * JSON as json-stable-stringify 1.3 writes it with `{ space: 2 }`: keys sorted,
 * members without a value left out (null in lists), `toJSON` honoured, and an empty
 * list or object written as its brackets around a line break. Documents without
 * those cases (stacks' documents) are the text of `JSON.stringify` on a key-sorted
 * copy; the others are collected in pieces and joined once (joining at every level
 * copied each node's user data once per level).
 */
export function stableJson(value: unknown): string | undefined {
  const sorted = sortedCopy(value);
  if (sorted !== UNSUITABLE) return JSON.stringify(sorted, null, 2);
  const pieces: string[] = [];
  return writeJson(value, 0, pieces) ? pieces.join('') : undefined;
}

const UNSUITABLE = Symbol('unsuitable');

/** Whether `stableJson` writes `value` through `JSON.stringify` (stack documents do). */
export const fitsJsonStringify = (value: unknown): boolean => sortedCopy(value) !== UNSUITABLE;
/** Keys JavaScript orders before all others (array indexes), whatever the insertion order. */
const INDEX_KEY = /^(?:0|[1-9][0-9]*)$/;

/**
 * A copy with every object's keys inserted in sorted order, for `JSON.stringify` to
 * write in the same layout (both leave out members without a value and write null for
 * them in lists), or UNSUITABLE where the layouts differ: empty lists and objects,
 * `toJSON`, index-like keys (JavaScript orders them first).
 */
function sortedCopy(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return UNSUITABLE;
  if (Array.isArray(value)) {
    if (value.length === 0) return UNSUITABLE;
    const items: unknown[] = [];
    for (const item of value) {
      const copy = sortedCopy(item);
      if (copy === UNSUITABLE) return UNSUITABLE;
      items.push(copy);
    }
    return items;
  }
  const copy: Record<string, unknown> = {};
  let members = 0;
  for (const key of Object.keys(value).sort()) {
    const item = (value as Record<string, unknown>)[key];
    if (item === undefined || typeof item === 'function' || typeof item === 'symbol') continue;
    const member = sortedCopy(item);
    if (member === UNSUITABLE || INDEX_KEY.test(key)) return UNSUITABLE;
    copy[key] = member;
    members++;
  }
  return members === 0 ? UNSUITABLE : copy;
}

/** Appends `value` to `pieces`; false (nothing appended) when it has no JSON form. */
function writeJson(value: unknown, level: number, pieces: string[]): boolean {
  if (value !== null && typeof value === 'object' && typeof (value as { toJSON?: unknown }).toJSON === 'function') value = (value as { toJSON(): unknown }).toJSON();
  if (value === undefined) return false;
  if (typeof value !== 'object' || value === null) {
    const text = JSON.stringify(value);
    if (text === undefined) return false; // functions and symbols
    pieces.push(text);
    return true;
  }
  const close = `\n${'  '.repeat(level)}`;
  const open = `${close}  `;
  let first = true;
  if (Array.isArray(value)) {
    pieces.push('[');
    for (const item of value) {
      pieces.push(first ? open : `,${open}`);
      first = false;
      if (!writeJson(item, level + 1, pieces)) pieces.push('null');
    }
    pieces.push(close, ']');
    return true;
  }
  const object = value as Record<string, unknown>;
  pieces.push('{');
  for (const key of Object.keys(object).sort()) {
    const mark = pieces.length;
    pieces.push(first ? open : `,${open}`, JSON.stringify(key), ': ');
    if (writeJson(object[key], level + 1, pieces)) first = false;
    else pieces.length = mark; // a member without a value is left out
  }
  pieces.push(close, '}');
  return true;
}
