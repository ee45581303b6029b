/**
 * How `syslet-aio info` shows a {@link FeatureReport}: a JSON document for scripts, and a text
 * layout for people. Kept apart from the command so the layout can be tested on a fixed report.
 */
import type { FeatureProbe, FeatureReport } from '../engine/features.js';
import { labelled, wrap } from './text.js';

/** The `info --json` document: the feature report plus what produced it. */
export interface InfoDocument extends FeatureReport {
  readonly name: 'syslet-aio';
  /** The package version. */
  readonly version: string;
  /** `process.version` of the Node that ran the probes. */
  readonly node: string;
}

/**
 * infoDocument - the JSON form of a report.
 *
 * @param report - from probeFeatures().
 * @param version - the package version.
 * @returns the document; `JSON.stringify` it as it is.
 */
export function infoDocument(report: FeatureReport, version: string): InfoDocument {
  return { name: 'syslet-aio', version, node: process.version, ...report };
}

/** The feature rows, in the order a reader needs them: the inline fast path first. */
const FEATURES: readonly (readonly [label: string, pick: (report: FeatureReport) => FeatureProbe])[] = [
  ['RWF_NOWAIT reads', (report) => report.rwfNowaitRead],
  ['RWF_NOWAIT writes', (report) => report.rwfNowaitBufferedWrite],
  ['RESOLVE_CACHED', (report) => report.resolveCached],
  ['MAP_32BIT', (report) => report.map32bit],
  ['eventfd', (report) => report.eventfd],
  ['signalfd', (report) => report.signalfd],
  ['io_uring', (report) => report.ioUring],
];

/**
 * renderInfo - the human form of a report.
 *
 * @param document - from {@link infoDocument}.
 * @param width - the line width to wrap to.
 * @returns the text, ending in a newline.
 */
export function renderInfo(document: InfoDocument, width = 80): string {
  const { kernel, policy } = document;
  const labelWidth = Math.max(...FEATURES.map(([label]) => label.length));
  const statusWidth = labelWidth + 2 + 'yes'.length;
  const engine = document.asyncEngine;
  const lines = [
    `syslet-aio ${document.version} on Linux ${kernel.release} (${kernel.machine}), Node ${document.node}`,
    '',
    ...wrap(
      engine.kind === 'io_uring'
        ? `Engine: io_uring (${engine.setupFlags}, SQ ${engine.sqEntries}, CQ ${engine.cqEntries}): calls that would block are io_uring requests from the calling thread; ${engine.calls.length} calls go to the ring, the rest to cachemiss threads. SYSLET_AIO_ENGINE=threads forces threads.`
        : `Engine: cachemiss threads (${engine.reason}).`,
      width,
    ),
    ...(engine.kind === 'io_uring' ? wrap(`ring calls: ${engine.calls.join(' ')}`, width - 2).map((line) => `  ${line}`) : []),
    '',
    `Kernel features (file probes in ${document.probeDir}, ${document.fileSystem}):`,
    ...FEATURES.map(([label, pick]) => {
      const probe = pick(document);
      return labelled(`${label.padEnd(labelWidth)}  ${probe.supported ? 'yes' : 'no'}`, probe.detail, statusWidth, 2, width);
    }),
    '',
    'Syscall policy of a new engine:',
  ];
  if (policy.disabledByEnv) lines.push('  SYSLET_AIO_DISABLED=1: every call is narrowed away; atoms get EPERM.');
  lines.push(
    `  allowed: ${policy.allowedCount} calls`,
    ...wrap(policy.allowed.join(' '), width - 4).map((line) => `    ${line}`),
    `  hard-denied: ${policy.denied.length} calls, which no engine can allow:`,
  );
  const nameWidth = Math.max(...policy.denied.map((entry) => entry.name.length));
  lines.push(...policy.denied.map((entry) => labelled(entry.name, entry.reason, nameWidth, 4, width)));
  return `${lines.join('\n')}\n`;
}
