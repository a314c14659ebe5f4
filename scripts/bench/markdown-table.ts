/** A Markdown table, as the benchmark sections render them. */
export function table(header: readonly string[], rows: ReadonlyArray<readonly (string | number)[]>): string {
  return [
    `| ${header.join(' | ')} |`,
    `|${header.map(() => '---').join('|')}|`,
    ...rows.map((row) => `| ${row.join(' | ')} |`),
  ].join('\n');
}
