/**
 * The set-up of the "narrowed engine" fs tests: a scratch folder with one file, an engine that
 * allows only `allow` and records what it denies, and syslet-aio/fs on that engine (closed after
 * the test).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { Engine } from '../../engine/engine.js';
import type { TraceRecord } from '../../engine/policy.js';
import { createFs } from '../../fs/index.js';
import { scratch } from './fs-implementations.js';

/** What a narrowed-engine test works with. */
export interface NarrowedFs {
  /** The scratch folder. */
  readonly dir: string;
  /** A file in it holding "data" (4 bytes). */
  readonly file: string;
  readonly engine: Engine;
  /** What the engine's policy denied, in order. */
  readonly denials: TraceRecord[];
  readonly fs: ReturnType<typeof createFs>;
}

/** Makes the folder, the file (with `mode`), the engine allowing `allow`, and fs on it. */
export function narrowedFs(t: TestContext, allow: readonly string[], mode = 0o644): NarrowedFs {
  const dir = scratch(t);
  const file = join(dir, 'file');
  writeFileSync(file, 'data', { mode });
  const denials: TraceRecord[] = [];
  const engine = new Engine({ allow, onDeny: (record) => denials.push(record) });
  t.after(() => engine.close());
  return { dir, file, engine, denials, fs: createFs(engine) };
}
