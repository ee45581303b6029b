// The progress line never gets as wide as the terminal: a line that reaches the last column
// wraps, and then every `\r` redraw leaves a line behind (it used to, in a 50-column terminal).
// The widest form that fits is drawn: bar and figures, then fewer figures, then the label cut to
// fit. Checked with pseudo widths from 100 down to 5 columns, and end to end in a real 50-column
// pseudo-terminal (script(1) with `stty cols 50`), where every redraw must fit in 49 columns.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Progress } from '../cli/progress.js';
import { cliArgv, ROOT } from './helpers/cli.js';

const MIB = 1024 * 1024;
// What a redraw shows: the text between `\r` and the "clear to end of line" sequence.
const CLEAR_LINE = '\x1b[K';
const visible = (draw: string): string => {
  const text = draw.replace(/^\r/, '').replace(/\n$/, '');
  return text.endsWith(CLEAR_LINE) ? text.slice(0, -CLEAR_LINE.length) : text;
};

test('each progress redraw fits in the terminal width less one column', () => {
  let now = 0;
  for (const columns of [100, 80, 60, 50, 40, 30, 20, 12, 5]) {
    now = 0;
    const draws: string[] = [];
    const progress = new Progress({ label: 'verify', total: 1024 * MIB * 1024, tty: true, write: (text) => draws.push(text), columns: () => columns, now: () => now });
    for (now = 0; now <= 3000; now += 100) progress.update(now * 300 * MIB);
    assert.ok(draws.length > 20);
    for (const draw of draws) assert.ok(visible(draw).length <= columns - 1, `${columns} columns: ${JSON.stringify(draw)}`);
    if (columns >= 80) assert.match(visible(draws.at(-1) as string), /\[#+-*\] .* ETA /, 'a wide terminal still gets the bar');
    if (columns === 50) assert.match(visible(draws.at(-1) as string), /^verify +\d+% .* MiB\/s/, 'a narrow one keeps the figures');
  }
});

test('cp --sample in a 50-column pseudo-terminal redraws within 49 columns', (t) => {
  if (spawnSync('script', ['--version']).status !== 0) return t.skip('script(1) from util-linux is not installed: no pseudo-terminal to test in');
  const parent = mkdtempSync(join(tmpdir(), 'syslet-aio-progress-width-'));
  t.after(() => rmSync(parent, { recursive: true, force: true }));
  const command = ['stty cols 50;', 'TMPDIR=' + parent, JSON.stringify(process.execPath), ...cliArgv(['cp', '--sample', '32m', '--qd', '1', '--bs', '4k']).map((arg) => JSON.stringify(arg)), '>/dev/null'].join(' ');
  const typescript = execFileSync('script', ['-q', '-e', '-c', command, '/dev/null'], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
  const draws = typescript.split('\r').map(visible).filter((text) => text !== '');
  assert.ok(draws.some((text) => text.startsWith('sample')) && draws.some((text) => text.startsWith('copy')), JSON.stringify(draws.slice(0, 5)));
  for (const text of draws) assert.ok(text.length <= 49, `${text.length} columns: ${JSON.stringify(text)}`);
});
