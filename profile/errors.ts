/**
 * An input the tool refuses: a profile, a target config or a budget.
 * It names the file, the field and the reason (one line per problem), so the
 * command line can print them and exit non-zero without a stack trace.
 */
export class InputError extends Error {
  constructor(
    /** File (or other input) the value came from. */
    readonly source: string,
    /** Dotted path of the offending field, e.g. `nova.cells[1].name`. */
    readonly field: string,
    /** What is wrong and what is allowed. */
    readonly reason: string,
    /** Further problems of the same file, each printed on its own line. */
    readonly more: readonly { readonly field: string; readonly reason: string }[] = [],
  ) {
    super([{ field, reason }, ...more].map((p) => `${source}: ${p.field}: ${p.reason}`).join('\n'));
    this.name = 'InputError';
  }
}

/** Formats a zod-style path (`['nova', 'cells', 1, 'name']`) as `nova.cells[1].name`. */
export function fieldPath(path: readonly (string | number)[]): string {
  return (
    path.reduce<string>((acc, part) => {
      if (typeof part === 'number') return `${acc}[${part}]`;
      return acc === '' ? part : `${acc}.${part}`;
    }, '') || '(top level)'
  );
}
