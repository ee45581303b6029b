/**
 * fillRegionTable - allocate 64-byte regions of `engine` until its region table refuses (the
 * RangeError an internal allocation gets): what a program with many buffers registered reaches,
 * made deterministic. Free the regions returned to give the table back.
 */
import assert from 'node:assert/strict';
import type { Region } from '../../engine/memory.js';

/** What fillRegionTable needs of an engine: `alloc`. */
export interface Allocating {
  alloc(bytes: number): Region;
}

/** @returns the regions taken, in order. */
export function fillRegionTable(engine: Allocating): Region[] {
  const regions: Region[] = [];
  for (;;) {
    try {
      regions.push(engine.alloc(64));
    } catch (error) {
      assert.ok(error instanceof RangeError, `alloc failed with ${String(error)}`);
      return regions;
    }
  }
}
