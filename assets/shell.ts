/**
 * Shell text helpers. Every generated script avoids `${` and `%{`: the text
 * travels through Terraform strings (user data, bucket objects), where those
 * start interpolations.
 */

/** Quotes a word for bash when it holds anything beyond a safe set. */
export function shQuote(word: string): string {
  return /^[A-Za-z0-9_.,:/=@+-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** Lines of a bash function. */
export function shFunction(name: string, comment: string, body: readonly string[]): string[] {
  return [`# ${comment}`, `${name}() {`, ...body.map((line) => (line === '' ? '' : `  ${line}`)), '}', ''];
}

/** Text that Terraform would read as an interpolation or a directive. */
export const TERRAFORM_TEMPLATE = /[$%]\{/;
