/**
 * Secret-looking literals: a password-ish key given a value (`=`, `:` or Puppet's `=>`), or credentials in a URL, that is
 * not a placeholder (`{{NAME}}`, filled at boot) or a shell variable (read at run time).
 */
const SECRET_LITERALS = [
  /(?:password|passwd|_pw|secret|token|secret_key|default_pass)\s*(?:=>|[=:])\s*(?!>|['"]?\{\{[A-Z0-9_]+\}\}|"?\$)['"]?[^\s'"]+/gi,
  /\/\/[^\s/:@]+:(?!\{\{[A-Z0-9_]+\}\}@|\$\{?[A-Za-z_][A-Za-z0-9_]*\}?@)[^\s/@]+@/g,
];

export const secretLiterals = (text: string): string[] => SECRET_LITERALS.flatMap((re) => text.match(re) ?? []);
