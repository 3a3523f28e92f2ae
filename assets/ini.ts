/** INI files (nova.conf, keystone.conf and glance-api.conf fragments), rendered in a fixed order. */

export type IniSection = readonly [name: string, entries: readonly (readonly [key: string, value: string])[]];

/** `separator` is ` = ` for OpenStack services. */
export function renderIni(sections: readonly IniSection[], header: readonly string[] = [], separator = ' = '): string {
  const comments = header.map((line) => `# ${line}`.trimEnd());
  const body = sections.map(([name, entries]) => [`[${name}]`, ...entries.map(([k, v]) => `${k}${separator}${v}`)].join('\n'));
  return [...comments, ...(comments.length ? [''] : []), body.join('\n\n'), ''].join('\n');
}
