/**
 * The package as a user gets it: build, `npm pack`, and install the tarball into an empty folder
 * (a consumer project with nothing but a package.json saying `"type": "module"`). Shared by the
 * tests that use the installed package: test/package-tarball-installs (what the tarball holds and
 * how it runs) and test/docs-samples-run (every sample of the docs, run against it).
 *
 * Needs the npm registry or a warm npm cache: koffi is installed from there, like a user's install
 * would. Without either the install fails and says so, rather than skipping: a package test that
 * silently skips in CI proves nothing.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root. */
export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** What one child command printed. */
export interface Output {
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * childEnv - the environment for child npm/npx runs. When a test runs under `npm test`, npm
 * exports the outer project's package and lifecycle variables; they must not leak into the
 * consumer's install (npm_config_local_prefix would point npm back at this repository). Registry,
 * cache and proxy settings stay, so CI's configuration still applies.
 */
export function childEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (/^npm_(package|lifecycle)_/.test(key) || key === 'npm_config_local_prefix' || key === 'npm_command' || key === 'INIT_CWD') continue;
    env[key] = value;
  }
  return { ...env, ...extra };
}

/** run - run a command to completion; rejects with its stderr attached when it fails. */
export function run(file: string, args: readonly string[], cwd: string, timeoutMs = 60_000): Promise<Output> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { cwd, env: childEnv(), timeout: timeoutMs, maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      // stdout too: tsc, for one, reports its diagnostics there.
      if (err) reject(Object.assign(new Error(`${file} ${args.join(' ')} failed: ${err.message}\n${stdout}${stderr}`), { stdout, stderr }));
      else resolve({ stdout, stderr });
    });
  });
}

/** Errors npm reports when it cannot reach the registry (DNS, refused, offline cache miss...). */
const NETWORK_ERROR = /ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENETUNREACH|EHOSTUNREACH|ENOTCACHED|network|proxy/i;

/**
 * A digest of every file of the checkout that git would see (tracked, or new and not ignored):
 * the tarball is a function of these, so two tests of one `npm test` run can share one.
 */
async function checkoutDigest(): Promise<string> {
  const listed = await run('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], ROOT);
  const hash = createHash('sha256');
  for (const file of listed.stdout.split('\0').filter((name) => name !== '').sort()) {
    hash.update(file).update('\0');
    try {
      hash.update(readFileSync(join(ROOT, file)));
    } catch {
      hash.update('(deleted)'); // listed by the index but gone from the work tree
    }
  }
  return hash.digest('hex').slice(0, 20);
}

/**
 * packedTarball - build and pack the checkout, or reuse the tarball packed from identical files
 * earlier (kept in the temp directory under the checkout's digest): a build takes a minute on two
 * busy cores, and the package test and the docs test both need the tarball.
 */
async function packedTarball(): Promise<string> {
  const cache = join(tmpdir(), `syslet-aio-tarball-${await checkoutDigest()}`);
  const packed = existsSync(cache) ? readdirSync(cache).find((name) => name.endsWith('.tgz')) : undefined;
  if (packed !== undefined) return join(cache, packed);
  // Build explicitly, then pack with --ignore-scripts: the same content `prepare` would produce,
  // but npm pack's --json report is not mixed with the build's output, and a compile error
  // surfaces here as a build failure, not as an unparseable pack report.
  await run('npm', ['run', 'build'], ROOT, 180_000);
  const staging = mkdtempSync(join(tmpdir(), 'syslet-aio-tarball-staging-'));
  const pack = await run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', staging], ROOT);
  const report = JSON.parse(pack.stdout) as { filename: string }[];
  const filename = report[0]?.filename;
  assert.ok(filename !== undefined, `npm pack reported no tarball: ${pack.stdout}`);
  try {
    renameSync(staging, cache); // atomic: a concurrent run sees the whole tarball or none
  } catch {
    rmSync(staging, { recursive: true, force: true }); // another run got there first: same files
  }
  // Tarballs of older checkouts are of no further use after a day.
  for (const name of readdirSync(tmpdir())) {
    const old = join(tmpdir(), name);
    try {
      if (name.startsWith('syslet-aio-tarball-') && old !== cache && Date.now() - statSync(old).mtimeMs > 86_400_000) rmSync(old, { recursive: true, force: true });
    } catch {
      // removed meanwhile by another run
    }
  }
  return join(cache, filename);
}

/** An installed tarball. */
export interface InstalledPackage {
  /** The temp folder holding everything below; remove it when done. */
  readonly work: string;
  /** The consumer project: package.json (`"type": "module"`) and node_modules/syslet-aio. */
  readonly consumer: string;
  /** The tarball `npm pack` made (shared between tests of identical checkouts; do not remove it). */
  readonly tarball: string;
  /** The files in the tarball, without the `package/` prefix. */
  readonly files: readonly string[];
}

/**
 * installPackedTarball - build, pack (or reuse the tarball of an identical checkout) and install
 * the package into a fresh consumer folder.
 *
 * @throws Error when the build, the pack or the install fails (for a network failure, one that
 *   says the test needs the registry or a warm cache).
 */
export async function installPackedTarball(): Promise<InstalledPackage> {
  const work = mkdtempSync(join(tmpdir(), 'syslet-pack-'));
  const consumer = join(work, 'consumer');
  const tarball = await packedTarball();

  // The listing comes from the tarball itself, not from npm's report of what it meant to pack.
  const listing = await run('tar', ['-tzf', tarball], work);
  const files = listing.stdout.split('\n').filter((line) => line !== '').map((line) => line.replace(/^package\//, ''));

  // A folder with nothing but a package.json: no workspace, no lockfile, no node_modules above it
  // that could satisfy the import by accident (tmpdir is outside the repository).
  mkdirSync(consumer);
  writeFileSync(join(consumer, 'package.json'), JSON.stringify({ name: 'syslet-aio-consumer', version: '1.0.0', private: true, type: 'module' }, null, 2));
  try {
    await run('npm', ['install', tarball, '--prefer-offline', '--no-audit', '--no-fund'], consumer, 120_000);
  } catch (e) {
    const stderr = (e as { stderr?: string }).stderr ?? '';
    if (NETWORK_ERROR.test(stderr)) {
      throw new Error(
        'npm could not reach the registry to install koffi (a runtime dependency of the tarball), and the npm cache does not have it. ' +
          `This test needs the registry or a warm cache; CI has the registry.\n${stderr}`,
      );
    }
    throw e;
  }
  return { work, consumer, tarball, files };
}

/**
 * consumerTsconfig - a tsconfig for TypeScript files in the consumer, checked against the shipped
 * declarations with the repository's own compiler and @types/node (strict, as a careful user's).
 */
export function consumerTsconfig(files: readonly string[]): string {
  return JSON.stringify({
    compilerOptions: {
      target: 'es2023',
      lib: ['es2023', 'esnext.disposable'],
      module: 'nodenext',
      moduleResolution: 'nodenext',
      strict: true,
      noEmit: true,
      skipLibCheck: true,
      types: ['node'],
      typeRoots: [join(ROOT, 'node_modules/@types')],
    },
    files,
  });
}
