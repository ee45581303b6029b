/**
 * syslet-aio's public barrel: the package root. The engine basics (syslets, the chain builder,
 * the completion ring, the policy), the plugin core, and the glibc-style POSIX AIO shim with its
 * Promise twins. Internals (executor, cachemiss pool, request records) are not exported.
 */

// The engine.
export { Engine, type EngineOptions, type ChainCompletion, type ChainListener, type RingRegistration } from './shim/engine.js';
export { ChainBuilder, Cell, Bytes, type ArgInput, type AtomOptions, type AtomRef, type ChainBuilderOptions } from './shim/builder.js';
export {
  SYSLET_ASYNC, SYSLET_SYNC, SYSLET_NO_COMPLETE, SYSLET_STOP_ON_NONZERO, SYSLET_STOP_ON_ZERO, SYSLET_STOP_ON_NEGATIVE,
  SYSLET_STOP_ON_NON_POSITIVE, SYSLET_STOP_MASK, SYSLET_SKIP_TO_NEXT_ON_STOP, SYSLET_VALID_FLAGS, ATOM, STOP, STOP_NAMES, type StopReason,
} from './shim/atom.js';
export { negotiateRing, RING_VERSIONS, RING_ENTRY_SIZE, type RingCapabilities, type RingRequest, type Completion } from './shim/ring.js';
export { Policy, type TraceRecord } from './shim/policy.js';
export type { Region } from './shim/memory.js';
export { errnoName, errnoMessage, errnoNumber, ERRNO_LIST } from './shim/native/index.js';

// Canned syslets.
export { definePlugin, composePlugins, Plugin, PluginInstance, type PluginRunResult, type AtomOutcome } from './plugins/plugin.js';
export { PluginDefinitionError } from './plugins/errors.js';
export type { PluginDefinition, PluginParams, ParamKind, AtomTemplate, ArgTemplate } from './plugins/types.js';

// POSIX AIO, glibc-style, and its Promise twins.
export * from './shim/aio/index.js';
