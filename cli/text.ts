/** Plain-text layout helpers shared by help and reports. No colour: output is meant to be piped and diffed. */

/**
 * wrap - greedy word wrap.
 *
 * @param text - the text; runs of white space collapse to one space.
 * @param width - the longest line wanted; a word longer than that gets a line of its own.
 * @returns the lines (none for empty text).
 * @example wrap('a bb ccc', 4) // → ['a bb', 'ccc']
 */
export function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter((w) => w !== '')) {
    if (line !== '' && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line === '' ? word : `${line} ${word}`;
    }
  }
  if (line !== '') lines.push(line);
  return lines;
}

/**
 * labelled - a `label  text` row whose text wraps under itself.
 *
 * @param label - left column, padded to `labelWidth`.
 * @param text - right column.
 * @param labelWidth - the left column's width.
 * @param indent - spaces before the label.
 * @param width - total line width.
 * @returns the row, possibly several lines joined by newlines.
 */
export function labelled(label: string, text: string, labelWidth: number, indent = 2, width = 80): string {
  const column = indent + labelWidth + 2;
  const [first = '', ...rest] = wrap(text, Math.max(20, width - column));
  const head = `${' '.repeat(indent)}${label.padEnd(labelWidth)}  ${first}`.trimEnd();
  return [head, ...rest.map((line) => `${' '.repeat(column)}${line}`)].join('\n');
}

/**
 * oneLine - collapse a message to a single line, for the CLI's one-line errors.
 *
 * @returns the text with every run of white space, newlines included, made one space.
 */
export function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}
