/**
 * scripts/restore-consts.ts (part of the package build): esbuild writes a bundle's top-level
 * consts as `var`; a top-level `var` statement becomes `const` again only when every name it binds
 * has an initializer and is assigned nowhere in the file — by `=`, a compound operator, `++`/`--`,
 * a destructuring or for-in/of target, in any scope. Each case below is checked by running the
 * output: a wrong `const` would throw "Assignment to constant variable".
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runInNewContext } from 'node:vm';
import { restoreConsts } from '../scripts/restore-consts.js';

const cases: [string, string, boolean][] = [
  ['never assigned', 'var a = 1;', true],
  ['a destructuring declaration never assigned', 'var { x: a, y = 2 } = { x: 1 };', true],
  ['assigned later', 'var a = 1;\na = 2;', false],
  ['compound assignment', 'var a = 1;\na += 2;', false],
  ['logical assignment', 'var a = null;\na ??= 2;', false],
  ['postfix ++', 'var a = 1;\na++;', false],
  ['prefix --', 'var a = 1;\n--a;', false],
  ['assigned inside a function', 'var a = 1;\nfunction f() { a = 3; }\nf();', false],
  ['array destructuring assignment', 'var a = 1;\n[a] = [2];', false],
  ['object destructuring assignment', 'var a = 1;\n({ a } = { a: 2 });', false],
  ['renamed object destructuring assignment', 'var a = 1;\n({ k: a } = { k: 2 });', false],
  ['destructuring default', 'var a = 1;\n[a = 5] = [];', false],
  ['for-of target', 'var a = 0;\nfor (a of [1, 2]);', false],
  ['for-in target', 'var a = "";\nfor (a in { k: 1 });', false],
  ['no initializer', 'var a;\nvar b = 1;', false],
  ['one of two names assigned', 'var a = 1, b = 2;\nb = 3;', false],
  ['a destructured name assigned', 'var { x: a } = { x: 1 };\na = 2;', false],
  ['a shadowing local assigned (kept: only ever less)', 'var a = 1;\nfunction f() { let a = 0; a = 2; return a; }\nf();', false],
];

for (const [name, code, becomesConst] of cases) {
  test(`restoreConsts: ${name}`, () => {
    const { code: out, restored } = restoreConsts(code, 'case.js');
    assert.equal(out.startsWith('const '), becomesConst, out);
    assert.equal(restored > 0, becomesConst || out !== code);
    // The output still runs (a wrong const throws at the assignment).
    assert.doesNotThrow(() => runInNewContext(out, {}), out);
  });
}

test('restoreConsts leaves nested declarations and let/const alone, and says what it kept', () => {
  const code = 'let l = 1;\nconst c = 2;\nfunction f() { var inner = 3; return inner; }\nvar kept;\nvar made = 4;\n';
  const result = restoreConsts(code, 'nested.js');
  assert.equal(result.code, 'let l = 1;\nconst c = 2;\nfunction f() { var inner = 3; return inner; }\nvar kept;\nconst made = 4;\n');
  assert.deepEqual([result.restored, result.kept], [1, 1]);
});

test('restoreConsts refuses text that does not parse', () => {
  assert.throws(() => restoreConsts('var = ;', 'bad.js'), /bad\.js: does not parse/);
});
