// Issue 15, "how to keep them found": a campaign child that dies or exits non-zero is a reported
// finding with its seed, its last checkpoint and the tail of its stdout and stderr — for every
// driver. Before, the runner dropped the child's output, and its checkpoint pattern did not match
// the aiocb driver's lines, so a 600 s run's aiocb failure read "died: status 1; last checkpoint 0"
// and nothing else. The failure is injected with SYSLET_FUZZ_FAULT (test/fuzz/checkpoint.ts), at a
// checkpoint past 0 so that the reported one must be read from the child's stderr.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runCampaigns, type CampaignName } from './fuzz/campaign.js';
import { INJECTED_EXIT_STATUS } from './fuzz/checkpoint.js';

const SEED = 4242;
const FAULT_AT = 2;

const failures: ReadonlyArray<{ name: Exclude<CampaignName, 'exit'>; kind: 'abort' | 'exit'; how: string }> = [
  { name: 'aiocb', kind: 'abort', how: 'signal SIGABRT' },
  { name: 'race', kind: 'exit', how: `status ${INJECTED_EXIT_STATUS}` },
  { name: 'teardown', kind: 'abort', how: 'signal SIGABRT' },
  { name: 'atoms', kind: 'exit', how: `status ${INJECTED_EXIT_STATUS}` },
];

for (const { name, kind, how } of failures) {
  test(`a ${name} campaign child that fails (${kind}) at checkpoint ${FAULT_AT} is a finding with its seed, checkpoint and output`, () => {
    process.env.SYSLET_FUZZ_FAULT = `${FAULT_AT}:${kind}`;
    try {
      const [result] = runCampaigns(SEED, [{ name, cases: FAULT_AT + 3 }]);
      assert.ok(result !== undefined);
      assert.equal(result.seed, SEED, 'the first campaign gets the master seed');
      assert.equal(result.findings.length, 1, JSON.stringify(result.findings));
      const finding = result.findings[0] ?? '';
      assert.match(finding, new RegExp(`^${name} \\(seed ${SEED}\\) failed: `));
      assert.ok(finding.includes(how), finding);
      assert.ok(finding.includes('no report'), finding);
      assert.ok(finding.includes(`last checkpoint ${FAULT_AT};`), finding);
      assert.ok(finding.includes(`stdout: fuzz fault injected at checkpoint ${FAULT_AT} (stdout)`), finding);
      assert.ok(finding.includes(`fuzz fault injected at checkpoint ${FAULT_AT}: ${kind}`), finding);
      assert.ok(result.replay.includes(`--seed ${SEED}`), result.replay);
    } finally {
      delete process.env.SYSLET_FUZZ_FAULT;
    }
  });
}
