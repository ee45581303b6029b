/**
 * The code samples of the documentation, as test/docs-samples-run runs them. A sample is a fenced
 * block whose info string starts with a language this reads:
 *
 * | info string | kind | run as |
 * |---|---|---|
 * | `ts`, `typescript` | ts | an ES module, `node --import tsx sample.ts`, also type-checked |
 * | `js`, `javascript`, `mjs` | js | an ES module, `node sample.js` |
 * | `sh`, `bash`, `shell` | sh | `bash -e sample.sh`, the package's bin on PATH |
 *
 * Any other block (`c`, `json`, a diagram with no language) is not a sample. A word after the
 * language marks a deliberate exception, and only two exist: `fragment` (a ts/js piece of a
 * larger program, shown for its shape) and `clone` (an sh block for a clone of the repository:
 * `npm ci`, `npm test`, the benchmarks). Anything else after the language is refused, so that a
 * typo cannot quietly turn a sample off.
 */

/** What kind of sample a block is. */
export type SampleKind = 'ts' | 'js' | 'sh';

/** The words that may follow the language, each for one kind. */
export const SAMPLE_TAGS = { fragment: ['ts', 'js'], clone: ['sh'] } as const satisfies Record<string, readonly SampleKind[]>;

/** One sample of one document. */
export interface DocSample {
  /** The document, relative to the repository (`docs/plugins.md`). */
  readonly file: string;
  /** The line of the opening fence, 1-based: where an editor should jump. */
  readonly line: number;
  readonly kind: SampleKind;
  /** The words after the language (`['fragment']`), possibly empty. */
  readonly tags: readonly string[];
  /** The block's text, without the fences. */
  readonly code: string;
  /** Why the block is not run, or null when it runs; a malformed info string says so here too. */
  readonly skip: string | null;
  /** A malformed info string (an unknown tag), or null. */
  readonly problem: string | null;
}

const LANGUAGES: Readonly<Record<string, SampleKind>> = {
  ts: 'ts', typescript: 'ts', js: 'js', javascript: 'js', mjs: 'js', sh: 'sh', bash: 'sh', shell: 'sh',
};

/**
 * extractSamples - every sample block of one Markdown document, in order.
 *
 * @param markdown - the document's text.
 * @param file - its name, for the samples' `file`.
 */
export function extractSamples(markdown: string, file: string): DocSample[] {
  const samples: DocSample[] = [];
  const lines = markdown.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const open = /^(`{3,}|~{3,})\s*(\S*)\s*(.*)$/.exec(lines[i] ?? '');
    if (open === null) continue;
    const [, fence = '```', language = '', rest = ''] = open;
    let end = i + 1;
    while (end < lines.length && !(lines[end] ?? '').startsWith(fence)) end++;
    const code = lines.slice(i + 1, end).join('\n');
    const kind = LANGUAGES[language.toLowerCase()];
    const start = i;
    i = end;
    if (kind === undefined) continue;
    const tags = rest.split(/\s+/).filter((word) => word !== '');
    const unknown = tags.filter((tag) => !((SAMPLE_TAGS as Record<string, readonly SampleKind[]>)[tag] ?? []).includes(kind));
    const problem = unknown.length === 0 ? null : `unknown info-string word(s) after ${language}: ${unknown.join(' ')} (allowed: ts/js fragment, sh clone)`;
    const skip = tags.includes('fragment') ? 'a fragment of a larger program' : tags.includes('clone') ? 'commands for a clone of the repository' : null;
    samples.push({ file, line: start + 1, kind, tags, code, skip, problem });
  }
  return samples;
}
