// The plugins campaign (test/fuzz/plugins.ts) at CI size: random valid plugin definitions —
// getpid, getuid, umem_add, umem_add32, read_size, lseek, pread64, pwrite64, read, write, fstat and
// fdatasync on the fuzz's files, with parameters of every kind, cells, refs, results, scratch
// areas, edge-value literals, stop flags, SKIP_TO_NEXT_ON_STOP and loops — each run many times
// through plugin.run (the canned plan made, reused and made again; pages dropped so reads go to the
// ring or a cachemiss thread; several runs in flight at once on different files) answer, atom by
// atom, what a reference interpreter making the same syscalls directly on twin files answers:
// executed or not, results and errno names, stop, last, lastId, atomsExecuted, cells, scratch,
// `out` bytes, the `ptr` memory, the files' bytes and positions. Mutated built-in definitions are
// accepted or refused with a PluginDefinitionError naming the field, never another error.
// The findings already reported (docs/reliability.md, "Session 20: plugfuzz20") are kept out of
// these inputs; `--known` on the driver puts them back. Runs on the default engine and, under
// npm run test:threads-engine, on cachemiss threads. Size: a fixed number of cases
// (SYSLET_FUZZ_CASES, default 300), in a child process through the campaign runner.
// Seed: SYSLET_FUZZ_SEED.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runCampaigns } from './fuzz/campaign.js';
import { fuzzSeed } from './helpers/fuzz-seed.js';

const seed = fuzzSeed(20261206);
const cases = Number(process.env.SYSLET_FUZZ_CASES ?? 300);

test(`random plugins run through plugin.run answer as a reference making the same syscalls directly (seed ${seed}, ${cases} cases)`, { timeout: 600_000 }, (t) => {
  const [result] = runCampaigns(seed, [{ name: 'plugins', cases }]);
  assert.ok(result !== undefined);
  t.diagnostic(`plugins (seed ${result.seed}): ${JSON.stringify(result.figures)}; replay: ${result.replay}`);
  assert.deepEqual(result.findings, [], `replay: ${result.replay}`);
  const figures = result.figures;
  assert.equal(figures.cases, cases);
  // Most cases are plugins, each run many times; some runs were in flight together, some after a cache drop.
  assert.ok((figures.plugins ?? 0) >= cases / 2, JSON.stringify(figures));
  assert.ok((figures.chains ?? 0) >= (figures.plugins ?? 0) * 10, JSON.stringify(figures));
  assert.ok((figures.mutations ?? 0) > 0 && (figures.concurrentRuns ?? 0) > 0 && (figures.cacheDrops ?? 0) > 0, JSON.stringify(figures));
  assert.ok((figures.atomsCompared ?? 0) > 0 && (figures.unpredictable ?? 0) < cases / 10, JSON.stringify(figures));
});
