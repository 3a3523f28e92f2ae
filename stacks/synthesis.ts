/**
 * Shortcuts through cdktf's synthesis, all exact: the output is the same
 * byte for byte (a test compares both ways), only reached sooner. Set
 * STAGING_TOKEN_TRACES=1 to take cdktf's own path throughout, stack traces of
 * tokens included, when debugging a resolution error.
 *
 * - cdktf records a full stack trace for every token it creates, only to explain
 *   a token that later fails to resolve.
 * - cdktf resolves every value of a stack three times (prepare, per element, the
 *   whole document), scanning every string with three regular expressions. Values
 *   without any token come out of that unchanged, so they are copied directly, only
 *   the parts that hold a token go through cdktf's own resolver, the preparing pass
 *   only visits, and the whole document is not walked again unless the stack's
 *   overrides hold a token.
 * - cdktf resolves each element twice: once while preparing (for the cross-stack
 *   references it finds), once while writing, with the same result (only a
 *   reference looks at the pass, and it resolves alike once registered). The
 *   prepared, resolved fragments are kept and written, unless an aspect could
 *   change an element in between.
 *
 * cdktf's JSON writer and its loading are tuned apart, before cdktf loads
 * (cdktf-dependencies.ts).
 */
import { App, Aspects, TerraformElement, TerraformStack, Tokenization } from 'cdktf';
import type { IConstruct } from 'constructs';
// A private module of cdktf 0.21: the token class of plain values.
import { Intrinsic } from 'cdktf/lib/tokens/private/intrinsic';

/** The shortcuts, unless STAGING_TOKEN_TRACES=1 asks for cdktf's own path (traces and all). */
export function tuneSynthesis(env: NodeJS.ProcessEnv = process.env): void {
  if (env.STAGING_TOKEN_TRACES === '1') return;
  skipTokenTraces();
  resolvePlainValuesDirectly();
  reusePreparedFragments();
}

/** Where each replaced function keeps cdktf's own, so that installing twice wraps once. */
const CDKTF_OWN = Symbol.for('openstack-staging.cdktf-own');

/**
 * Replaces `owner[name]` by what `replacement` makes of cdktf's own function (kept
 * from the first replacement, so installing again changes nothing).
 */
function replace<T extends object, K extends keyof T>(owner: T, name: K, replacement: (cdktfOwn: T[K]) => T[K]): void {
  // Its own property: a prototype must not find the one of a class it inherits from.
  if (!Object.prototype.hasOwnProperty.call(owner, CDKTF_OWN)) Object.defineProperty(owner, CDKTF_OWN, { value: {} });
  const own = (owner as T & { [CDKTF_OWN]: Partial<T> })[CDKTF_OWN];
  if (!(name in own)) own[name] = owner[name];
  owner[name] = replacement(own[name] as T[K]);
}

/** A private module of cdktf 0.21; its callers look the function up on the exports object at each call. */
export function skipTokenTraces(): void {
  const traces = require('cdktf/lib/tokens/private/stack-trace') as { captureStackTrace: () => string[] };
  replace(traces, 'captureStackTrace', () => () => []);
}

interface TokensModule {
  resolve: (scope: unknown, value: unknown, preparing?: boolean) => unknown;
}

/**
 * Stacks call `resolve` of cdktf's private `_tokens` module (0.21) for everything
 * they synthesize; it is wrapped so that token-free parts skip it. The preparing
 * pass (`prepareStack`) resolves only for its effects (cross-stack outputs) and
 * drops the result, so it only visits.
 */
export function resolvePlainValuesDirectly(): void {
  const tokens = require('cdktf/lib/_tokens') as TokensModule;
  replace(tokens, 'resolve', (cdktfResolve) => {
    resolveStackValue = (scope, value, preparing, keep) => {
      // A reference used by many nodes (a subnet, a security group) is resolved once per call.
      const resolved = new Map<string, string>();
      const ask = (part: unknown) => {
        if (typeof part !== 'string') return cdktfResolve(scope, part, preparing);
        const known = resolved.get(part);
        if (known !== undefined) return known;
        const result = cdktfResolve(scope, part, preparing);
        if (typeof result === 'string') resolved.set(part, result);
        return result;
      };
      return copyResolving(value, { ask, keep });
    };
    return (scope, value, preparing = false) => {
      // An element's fragment resolved while preparing, written now.
      if (typeof value === 'object' && value !== null && reuse?.fragments.has(value)) return value;
      // The stack's whole document, last: its elements and metadata were resolved one by
      // one just before; only the stack's own overrides, merged in since, could hold a token.
      if (!preparing && isStackDocument(value) && isResolved((scope as { rawOverrides?: unknown }).rawOverrides)) return value;
      return resolveStackValue!(scope, value, preparing, !preparing);
    };
  });
}

/** The wrapped resolution: `keep` false only visits (for the effects of preparing). */
let resolveStackValue: ((scope: unknown, value: unknown, preparing: boolean, keep: boolean) => unknown) | undefined;

/** One app's synthesis: the elements whose prepared fragments are written, and those fragments. */
interface Reuse {
  readonly elements: TerraformElement[];
  readonly fragments: WeakSet<object>;
}
let reuse: Reuse | undefined;

/**
 * While an app synthesizes (and no aspect is registered: aspects run between the
 * two passes and may change elements), each stack's preparing pass keeps every
 * element's resolved fragment and the element gives it back when written.
 */
export function reusePreparedFragments(): void {
  replace(App.prototype, 'synth', (cdktfSynth) =>
    function synth(this: App) {
      if (!resolveStackValue || hasAspects(this)) return cdktfSynth.call(this);
      const session: Reuse = { elements: [], fragments: new WeakSet() };
      reuse = session;
      try {
        cdktfSynth.call(this);
      } finally {
        reuse = undefined;
        for (const element of session.elements) delete (element as { toTerraform?: unknown }).toTerraform;
      }
    },
  );
  replace(TerraformStack.prototype, 'prepareStack', (cdktfPrepareStack) =>
    function prepareStack(this: TerraformStack) {
      const session = reuse;
      if (!session) return cdktfPrepareStack.call(this);
      // What cdktf's prepareStack does, keeping the resolved fragments.
      this.ensureBackendExists();
      for (const element of elementsOf(this)) {
        const fragment = resolveStackValue!(this, element.toTerraform(), true, true);
        if (typeof fragment === 'object' && fragment !== null) session.fragments.add(fragment);
        element.toTerraform = () => fragment;
        session.elements.push(element);
      }
    },
  );
}

const hasAspects = (app: App): boolean => app.node.findAll().some((c) => Aspects.of(c).all.length > 0);

/** A stack's elements in cdktf's order (depth first, not into nested stacks). */
function elementsOf(node: IConstruct, into: TerraformElement[] = []): TerraformElement[] {
  if (TerraformElement.isTerraformElement(node)) into.push(node);
  for (const child of node.node.children) if (!TerraformStack.isStack(child)) elementsOf(child, into);
  return into;
}

/** The document `TerraformStack.toTerraform` assembles (elements' fragments never have a top-level "//"). */
const isStackDocument = (value: unknown): boolean => typeof value === 'object' && value !== null && '//' in value;

/** Plain data without tokens or undefined members: what resolving would return unchanged. */
function isResolved(value: unknown): boolean {
  switch (typeof value) {
    case 'string':
      return !mayHoldToken(value);
    case 'number':
      return !mayBeTokenNumber(value);
    case 'boolean':
      return true;
    case 'object':
      if (value === null) return true;
      if (Array.isArray(value)) return value.every(isResolved);
      return typeof (value as { resolve?: unknown }).resolve !== 'function' && Object.entries(value).every(([key, item]) => !mayHoldToken(key) && isResolved(item));
    default:
      return false;
  }
}

/** How parts with tokens are resolved, and whether the resolved copy is wanted or only the visit. */
export interface Resolution {
  /** cdktf's resolution of one part. */
  readonly ask: (part: unknown) => unknown;
  /** false: visit every token for its effects, build nothing (returns undefined). */
  readonly keep: boolean;
}

/** The start of every encoded token: `${TfToken[` (string), `#{TfToken[` (list), `&{TfToken[` (map). */
const TOKEN_MARK = '{TfToken[';

/**
 * Could cdktf see a token in this string? Encoded tokens carry TOKEN_MARK; a number
 * token written into a string prints as a huge double (about -1.9e+289), so any "e+"
 * is handed to cdktf as well.
 */
const mayHoldToken = (text: string): boolean => text.includes(TOKEN_MARK) || text.includes('e+');

/** Number and number-list tokens are encoded as negative doubles of magnitude near 1e289 and 1e298. */
const mayBeTokenNumber = (n: number): boolean => n < -1e200;

/**
 * What cdktf's resolve returns for `value` (a copy without undefined members),
 * handing every part that may hold a token (and anything unusual: functions,
 * resolvables, constructs) to cdktf. Plain containers carry no resolution context
 * in cdktf, so resolving a part on its own gives the same result.
 */
export function copyResolving(value: unknown, r: Resolution): unknown {
  switch (typeof value) {
    case 'string':
      return mayHoldToken(value) ? resolveText(value, r) : value;
    case 'number':
      return mayBeTokenNumber(value) ? r.ask(value) : value;
    case 'object':
      if (value === null || value instanceof Date) return value;
      if (Array.isArray(value)) return copyArray(value, r);
      return copyObject(value as Record<string, unknown>, r);
    case 'function':
      return r.ask(value); // cdktf explains why a function cannot be resolved
    default:
      return value;
  }
}

/** A string token as cdktf encodes it (same key characters as cdktf's own pattern). */
const STRING_TOKEN = /(\$\{TfToken\[[a-zA-Z0-9:._-]+\]\})/;

/**
 * A string holding string tokens among literal text: cdktf resolves each token and
 * concatenates, then scans the whole (long) text again for number tokens. The same
 * is done here a token at a time; anything cdktf treats specially (a literal `${`,
 * list or map markers, a possible number token, a token that is not plain text)
 * goes to cdktf whole.
 */
function resolveText(text: string, r: Resolution): unknown {
  const pieces = text.split(STRING_TOKEN); // literal, token, literal, ..., literal
  if (pieces.length === 3 && pieces[0] === '' && pieces[2] === '') return resolveSingleToken(text, r);
  const literals = pieces.filter((_, i) => i % 2 === 0);
  if (text.includes('e+') || literals.some((literal) => literal.includes('${') || literal.includes(TOKEN_MARK))) return r.ask(text);
  const out: string[] = [];
  for (let i = 0; i < pieces.length; i++) {
    if (i % 2 === 0) {
      out.push(pieces[i]);
      continue;
    }
    const resolved = r.ask(pieces[i]);
    if (typeof resolved !== 'string' || mayHoldToken(resolved)) return r.ask(text);
    out.push(resolved);
  }
  return out.join('');
}

/**
 * A string that is one token. `Token.asString` of a plain value (a for_each map of
 * every node's attributes, user data included) is a bare Intrinsic: its value is
 * resolved here, piece by piece, instead of by cdktf in one block.
 */
function resolveSingleToken(text: string, r: Resolution): unknown {
  const token = Tokenization.reverseString(text).firstToken;
  if (token && Object.getPrototypeOf(token) === Intrinsic.prototype) return copyResolving((token as unknown as { value: unknown }).value, r);
  return r.ask(text);
}

function copyArray(items: readonly unknown[], r: Resolution): unknown {
  // List tokens are resolved by cdktf for the whole list at once.
  if (items.some((item) => (typeof item === 'string' && item.includes(TOKEN_MARK)) || (typeof item === 'number' && mayBeTokenNumber(item)))) return r.ask(items);
  const out: unknown[] = [];
  for (const item of items) {
    const resolved = copyResolving(item, r);
    if (r.keep && resolved !== undefined) out.push(resolved);
  }
  return r.keep ? out : undefined;
}

function copyObject(object: Record<string, unknown>, r: Resolution): unknown {
  const keys = Object.keys(object);
  // Resolvables and constructs (an error) go to cdktf, as do map tokens and tokens in keys.
  if (typeof object.resolve === 'function' || ('_children' in object && '_metadata' in object) || keys.some(mayHoldToken)) return r.ask(object);
  const out: Record<string, unknown> = {};
  for (const key of keys) {
    const resolved = copyResolving(object[key], r);
    if (r.keep && resolved !== undefined) out[key] = resolved;
  }
  return r.keep ? out : undefined;
}
