/**
 * Docs that run: every TypeScript, JavaScript and shell sample in README.md and docs/*.md runs as
 * written, as a user would run it — against the packed tarball installed in a fresh consumer
 * project (`"type": "module"`, nothing else), not against this checkout. TypeScript samples are
 * also type-checked against the shipped declarations.
 *
 * Conventions (also stated in the README's "Documentation" section):
 * - each sample runs alone, in its own folder inside the consumer, holding the files the README's
 *   quick start leaves behind: hello.txt, hello-copy.txt, sample.img (an i386 image from
 *   `syslet-aio compat32 sample`), plus data.bin (8 KiB);
 * - ts samples run with `node --import tsx`, js samples with `node`, sh samples with `bash -e`
 *   with the package's bin on PATH (as in an npm script); `npm install syslet-aio` is what the
 *   harness did with the tarball, and the default command's sample is 1 MiB
 *   (SYSLET_AIO_SAMPLE_SIZE) to keep the run short;
 * - blocks in another language (c, json, diagrams) are not samples; `ts fragment` and `sh clone`
 *   mark the few that are not run (test/helpers/doc-samples.ts).
 * A failure names the document, the line of the sample's opening fence, and what it printed.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { cpSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { consumerTsconfig, childEnv, installPackedTarball, ROOT, run } from './helpers/tarball.js';
import { extractSamples, type DocSample } from './helpers/doc-samples.js';

const TSX = import.meta.resolve('tsx');
const SAMPLE_TIMEOUT_MS = 60_000;
// Two cores: a few samples at a time keeps the whole file to about a minute without starving them.
const CONCURRENCY = 3;

const DOCUMENTS = ['README.md', ...readdirSync(join(ROOT, 'docs')).filter((name) => name.endsWith('.md')).sort().map((name) => `docs/${name}`)];
const SAMPLES: DocSample[] = DOCUMENTS.flatMap((file) => extractSamples(readFileSync(join(ROOT, file), 'utf8'), file));

let work = '';
let consumer = '';
let fixtures = '';

before(async () => {
  const installed = await installPackedTarball();
  work = installed.work;
  consumer = installed.consumer;
  fixtures = join(work, 'fixtures');
  mkdirSync(fixtures);
  writeFileSync(join(fixtures, 'hello.txt'), 'hello, syslets\n');
  writeFileSync(join(fixtures, 'hello-copy.txt'), 'hello, syslets\n');
  writeFileSync(join(fixtures, 'data.bin'), Buffer.alloc(8192, 0x5a));
  await run(process.execPath, [join(consumer, 'node_modules/syslet-aio/dist/cli/main.js'), 'compat32', 'sample', join(fixtures, 'sample.img')], consumer);
});

after(() => {
  if (work !== '') rmSync(work, { recursive: true, force: true });
});

/** A sample's folder name: where it came from, readable in a listing. */
const idOf = (sample: DocSample): string => `${sample.file.replace(/[/.]/g, '_')}-L${sample.line}`;

/** The script a sample becomes: sh lines that install the package are what the harness did. */
function script(sample: DocSample): string {
  if (sample.kind !== 'sh') return `${sample.code}\n`;
  return `${sample.code.split('\n').map((line) => (/^\s*npm (install|i) syslet-aio\b/.test(line) ? `: # ${line.trim()} (the harness installed the packed tarball)` : line)).join('\n')}\n`;
}

/** How one sample run ended. */
interface SampleRun {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

function runSample(sample: DocSample, dir: string): Promise<SampleRun> {
  const file = join(dir, sample.kind === 'sh' ? 'sample.sh' : sample.kind === 'ts' ? 'sample.ts' : 'sample.js');
  writeFileSync(file, script(sample));
  const [command, args] =
    sample.kind === 'sh' ? ['bash', ['-e', '-o', 'pipefail', file]] : sample.kind === 'ts' ? [process.execPath, ['--import', TSX, file]] : [process.execPath, [file]];
  const env = childEnv({ PATH: `${join(consumer, 'node_modules/.bin')}:${process.env.PATH ?? ''}`, SYSLET_AIO_SAMPLE_SIZE: '1m' });
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'], timeout: SAMPLE_TIMEOUT_MS, killSignal: 'SIGKILL' });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

const tail = (text: string): string => (text.length > 4000 ? `…${text.slice(-4000)}` : text);

/** What a failure says: where the sample is, how it ended, and what it printed. */
function report(sample: DocSample, ran: SampleRun): string {
  const ended = ran.signal === 'SIGKILL' ? `was killed after ${SAMPLE_TIMEOUT_MS / 1000} s` : ran.signal !== null ? `died of ${ran.signal}` : `exited with ${ran.code}`;
  const numbered = sample.code.split('\n').map((text, i) => `${String(sample.line + 1 + i).padStart(5)} | ${text}`).join('\n');
  return `${sample.file}:${sample.line}: the ${sample.kind} sample ${ended}\n--- sample ---\n${numbered}\n--- stdout ---\n${tail(ran.stdout)}\n--- stderr ---\n${tail(ran.stderr)}`;
}

test('every sample block has a well-formed info string, and the exceptions are few', () => {
  assert.ok(SAMPLES.length >= 15, `${SAMPLES.length} samples found in ${DOCUMENTS.join(', ')}`);
  assert.deepEqual(SAMPLES.filter((sample) => sample.problem !== null).map((sample) => `${sample.file}:${sample.line}: ${sample.problem}`), []);
  const skipped = SAMPLES.filter((sample) => sample.skip !== null);
  // Rare by design: a new exception should be a conscious choice, visible in this number.
  assert.ok(skipped.length <= 6, `${skipped.length} samples are not run:\n${skipped.map((s) => `${s.file}:${s.line} (${s.tags.join(' ')})`).join('\n')}`);
});

test('every TypeScript, JavaScript and shell sample runs against the installed package', async (t) => {
  const queue = SAMPLES.filter((sample) => sample.problem === null);
  const runOne = async (sample: DocSample): Promise<void> => {
    await t.test(`${sample.file}:${sample.line} (${sample.kind})`, { skip: sample.skip ?? false }, async () => {
      const dir = join(consumer, 'samples', idOf(sample));
      cpSync(fixtures, dir, { recursive: true });
      const ran = await runSample(sample, dir);
      assert.ok(ran.code === 0, report(sample, ran));
    });
  };
  // A small pool: CONCURRENCY samples at a time, each in its own folder.
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < queue.length) {
      const sample = queue[next++] as DocSample;
      await runOne(sample);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
});

test('every TypeScript sample type-checks against the shipped declarations', async () => {
  const typed = SAMPLES.filter((sample) => sample.kind === 'ts' && sample.skip === null && sample.problem === null);
  const dir = join(consumer, 'typecheck');
  mkdirSync(dir, { recursive: true });
  const files = typed.map((sample) => {
    const name = `${idOf(sample)}.ts`;
    // `export {}` keeps each sample its own module, as it is when it runs alone.
    writeFileSync(join(dir, name), `${sample.code}\nexport {};\n`);
    return name;
  });
  writeFileSync(join(dir, 'tsconfig.json'), consumerTsconfig(files));
  try {
    await run(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json'], dir, 120_000);
  } catch (error) {
    const output = (error as Error).message;
    // Point each diagnostic at the document's line: sample line n is the fence's line + n.
    const located = output.replace(/(\S+)-L(\d+)\.ts\((\d+),(\d+)\)/g, (_all, id: string, fence: string, line: string, column: string) => {
      const sample = typed.find((s) => idOf(s) === `${id}-L${fence}`);
      return sample === undefined ? _all : `${sample.file}:${Number(fence) + Number(line)}:${column}`;
    });
    assert.fail(`TypeScript samples do not type-check:\n${located}`);
  }
});
