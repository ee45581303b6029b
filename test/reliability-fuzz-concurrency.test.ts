// Issue 15, "how to keep them found": the race, teardown and exit campaigns at CI size — a fixed
// number of cases (no time budget: what is asserted never depends on the machine's speed), each
// campaign in its own child process, so a crash is a finding with its seed, not a dead runner.
// `npm run fuzz -- --seconds 600` runs every campaign for as long as it is told.
// Seed: SYSLET_FUZZ_SEED.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runCampaigns, type CampaignResult } from './fuzz/campaign.js';
import { fuzzSeed } from './helpers/fuzz-seed.js';

const seed = fuzzSeed(20261204);

function check(t: { diagnostic: (message: string) => void }, result: CampaignResult): void {
  t.diagnostic(`${result.name} (seed ${result.seed}): ${JSON.stringify(result.figures)}`);
  assert.deepEqual(result.findings, [], `replay: ${result.replay}`);
}

test(`chains on different cachemiss threads changing each other's iovecs, socklens, msghdrs and paths never get past the check (seed ${seed})`, (t) => {
  const [race] = runCampaigns(seed, [{ name: 'race', cases: 6 }]);
  assert.ok(race !== undefined);
  check(t, race);
  assert.equal(race.figures.cases, 6);
  assert.ok((race.figures.victimCalls ?? 0) > 0 && (race.figures.canaryChecks ?? 0) > 0);
});

test(`freeing, unregistering, killing, cancelling and closing under chains in flight, and re-entrant callbacks: every chain completes once, canaries intact (seed ${seed})`, (t) => {
  const [teardown] = runCampaigns(seed, [{ name: 'teardown', cases: 8 }]);
  assert.ok(teardown !== undefined);
  check(t, teardown);
  assert.equal(teardown.figures.cases, 8);
  assert.equal(teardown.figures.completions, teardown.figures.chains, 'one completion per accepted chain');
});

test(`process.exit(0) with chains in flight exits with 0 (seed ${seed})`, (t) => {
  const [exit] = runCampaigns(seed, [{ name: 'exit', cases: 2 }]);
  assert.ok(exit !== undefined);
  check(t, exit);
  assert.equal(exit.figures.cases, 2);
});
