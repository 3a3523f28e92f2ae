/**
 * YAML for cloud-config documents, written directly: the `yaml` package builds a
 * node tree for every document, which took most of the time of rendering a few
 * hundred nodes' user data. The text is the same as the package's
 * `stringify(doc, { lineWidth: 0, blockQuote: 'literal', aliasDuplicateObjects: false })`
 * (a test compares both on every node of several plans); a document with anything
 * outside the handled subset (non-ASCII or control characters, tabs or document
 * markers outside block strings, block strings that start with a space or end in
 * blank lines) is handed to the package whole.
 */

/** The options the package is given for the documents it renders. */
export const YAML_OPTIONS = { lineWidth: 0, blockQuote: 'literal', aliasDuplicateObjects: false } as const;

/** Renders plain data (maps, lists, strings, finite numbers, booleans, null) as a YAML document. */
export function toYaml(doc: unknown): string {
  try {
    return writeYaml(doc);
  } catch (e) {
    if (!(e instanceof OutsideSubset)) throw e;
    const { stringify } = require('yaml') as typeof import('yaml'); // only for the rare document outside the subset
    return stringify(doc, YAML_OPTIONS);
  }
}

/** The direct writer alone: throws OutsideSubset for a document it does not handle. */
export function writeYaml(doc: unknown): string {
  if (!isCollection(doc) || isEmpty(doc)) return `${flow(doc, '', false)}\n`;
  const lines: string[] = [];
  node(doc, '', '', lines);
  return `${lines.join('\n')}\n`;
}

export class OutsideSubset extends Error {}

type Collection = Record<string, unknown> | unknown[];

const isCollection = (value: unknown): value is Collection => typeof value === 'object' && value !== null;
/** Empty as the package sees it: undefined members of a map are left out. */
const isEmpty = (value: Collection): boolean => (Array.isArray(value) ? value.length === 0 : Object.values(value).every((item) => item === undefined));

/**
 * Appends the lines of a non-empty map or list whose entries start at `indent`;
 * the first line starts with `lead` instead (a list's dash, when the collection is
 * an item of a list: its first entry shares the dash's line).
 */
function node(value: Collection, indent: string, lead: string, lines: string[]): void {
  if (Array.isArray(value)) list(value, indent, lead, lines);
  else map(value, indent, lead, lines);
}

function map(value: Record<string, unknown>, indent: string, lead: string, lines: string[]): void {
  let start = lead;
  for (const key of Object.keys(value)) {
    const item = value[key];
    if (item === undefined) continue; // the package leaves undefined members out
    const label = `${start}${scalar(key, indent, true)}:`;
    start = indent;
    if (isCollection(item) && !isEmpty(item)) {
      lines.push(label);
      node(item, `${indent}  `, `${indent}  `, lines);
    } else lines.push(`${label} ${flow(item, `${indent}  `, false)}`);
  }
}

function list(value: unknown[], indent: string, lead: string, lines: string[]): void {
  let start = lead;
  for (const item of value) {
    if (item === undefined) throw new OutsideSubset();
    if (isCollection(item) && !isEmpty(item)) node(item, `${indent}  `, `${start}- `, lines);
    else lines.push(`${start}- ${flow(item, `${indent}  `, false)}`);
    start = indent;
  }
}

/** A value written after `key: ` or `- `; block strings continue on lines at `indent`. */
function flow(value: unknown, indent: string, key: boolean): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
      return scalar(value, indent, key);
    case 'boolean':
      return String(value);
    case 'number':
      if (!Number.isFinite(value) || Object.is(value, -0)) throw new OutsideSubset();
      return String(value);
    case 'object':
      return Array.isArray(value) ? '[]' : '{}'; // only empty collections get here
    default:
      throw new OutsideSubset();
  }
}

/** Printable ASCII, tab and newline: the characters whose quoting is handled here. */
const HANDLED = /^[\n\t\x20-\x7e]*$/;
const DOCUMENT_MARKER = /^(%|---|\.\.\.)/m;
/** Plain strings YAML 1.2's core schema would read as null, booleans or numbers. */
const NOT_A_STRING = [
  /^(?:~|[Nn]ull|NULL)?$/,
  /^(?:[Tt]rue|TRUE|[Ff]alse|FALSE)$/,
  /^0o[0-7]+$/,
  /^[-+]?[0-9]+$/,
  /^0x[0-9a-fA-F]+$/,
  /^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/,
  /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+$/,
  /^[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)$/,
];
/** The first characters NOT_A_STRING can match (the others skip its tests). */
const MAY_NOT_BE_A_STRING = /^(?:$|[~nNtTfF0-9+\-.])/;
/** Indicator characters a plain string may not start with. */
const INDICATORS = new Set(' ,[]{}#&*!|>\'"%@`');

/**
 * The package's rule for plain strings, for one line without tabs: not starting with
 * an indicator, "? " or "- ", not "?" or "-" alone, no ": " or " #", not ending in a
 * space or ":".
 */
function mayBePlain(line: string): boolean {
  const first = line[0];
  const last = line[line.length - 1];
  if (INDICATORS.has(first) || line === '?' || line === '-' || line.startsWith('? ') || line.startsWith('- ')) return false;
  return !line.includes(': ') && !line.includes(' #') && last !== ' ' && last !== ':';
}

function scalar(text: string, indent: string, key: boolean): string {
  if (!HANDLED.test(text)) throw new OutsideSubset();
  if (text.includes('\n')) {
    if (key) throw new OutsideSubset();
    return literalBlock(text, indent);
  }
  if (text.includes('\t')) throw new OutsideSubset();
  if (text !== '' && !mayBePlain(text)) return quoted(text);
  if (text.startsWith('---') || text.startsWith('...')) throw new OutsideSubset(); // the package's handling depends on the indent
  return MAY_NOT_BE_A_STRING.test(text) && NOT_A_STRING.some((re) => re.test(text)) ? quoted(text) : text;
}

/** The package's choice: single quotes only for text with double quotes and no single ones. */
const quoted = (text: string): string => (text.includes('"') && !text.includes("'") ? `'${text}'` : JSON.stringify(text));

/** `|` (one final newline kept) or `|-` (none), lines at `indent`, blank lines left empty. */
function literalBlock(text: string, indent: string): string {
  const last = text[text.length - 1];
  const beforeLast = text[text.length - 2];
  const clip = last === '\n' && !isSpace(beforeLast);
  const strip = !isSpace(last);
  if (!(clip || strip) || text[0] === ' ' || text[0] === '\n' || DOCUMENT_MARKER.test(text)) throw new OutsideSubset();
  const body = clip ? text.slice(0, -1) : text;
  return `|${clip ? '' : '-'}\n${indent}${body.replace(/\n+/g, `$&${indent}`)}`;
}

/** Whitespace among the handled characters. */
const isSpace = (ch: string): boolean => ch === ' ' || ch === '\t' || ch === '\n';
