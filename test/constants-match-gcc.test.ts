// Every constant the package exports from the headers (O_*, AT_*, AF_*, SOCK_*, MSG_*, S_I*, and
// the others the library passes to the kernel) has the value a C program sees: each family is
// compiled with gcc against the header a program would include, and every name's value printed
// and compared with the generated module. This checks the header parser as much as the values.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CONSTANT_SOURCES, parseConstants } from '../scripts/headers.js';
import * as generated from '../engine/syscalls/constants.generated.js';
import * as root from '../index.js';
import { compilerProblem } from './layout-oracle.js';

test('every generated constant equals what gcc compiles against its header', (t) => {
  const problem = compilerProblem([]);
  if (problem !== null) {
    if (process.env.CI !== undefined && process.env.CI !== '') assert.fail(`CI must check the constants: ${problem}`);
    t.skip(problem);
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'syslet-constants-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const values = generated as unknown as Record<string, number>;
  let checked = 0;
  for (const [i, source] of CONSTANT_SOURCES.entries()) {
    const names = parseConstants(source).map((constant) => constant.name);
    const program = [
      '#define _GNU_SOURCE',
      '#include <stdio.h>',
      `#include <${source.include}>`,
      'int main(void) {',
      ...names.map((name) => `  printf("%s %lld\\n", "${name}", (long long)(${name}));`),
      '  return 0;',
      '}',
      '',
    ].join('\n');
    const file = join(dir, `family${i}.c`);
    writeFileSync(file, program);
    execFileSync('gcc', ['-w', file, '-o', join(dir, `family${i}`)], { stdio: ['ignore', 'pipe', 'pipe'] });
    const printed = execFileSync(join(dir, `family${i}`), { encoding: 'utf8' }).trim().split('\n');
    const fromGcc: Record<string, number> = {};
    for (const line of printed) {
      const [name = '', value = ''] = line.split(' ');
      fromGcc[name] = Number(value);
    }
    const fromModule = Object.fromEntries(names.map((name) => [name, values[name]]));
    assert.deepEqual(fromModule, fromGcc, `${source.title} (<${source.include}>)`);
    checked += names.length;
  }
  assert.ok(checked >= 150, `${checked} constants checked`);
});

test('the families the issue names are exported from the package root, with the values C programs know', () => {
  const exported = root as unknown as Record<string, unknown>;
  for (const prefix of ['O_', 'AT_', 'AF_', 'SOCK_', 'MSG_', 'S_IF']) {
    const names = Object.keys(generated).filter((name) => name.startsWith(prefix));
    assert.ok(names.length > 0, prefix);
    for (const name of names) assert.equal(exported[name], (generated as unknown as Record<string, number>)[name], name);
  }
  // Spot checks that need no compiler.
  assert.deepEqual(
    [root.O_CLOEXEC, root.AT_FDCWD, root.AF_INET, root.AF_INET6, root.SOCK_STREAM, root.SOCK_CLOEXEC, root.MSG_NOSIGNAL, root.S_IFREG],
    [0o2000000, -100, 2, 10, 1, 0o2000000, 0x4000, 0o100000],
  );
});
