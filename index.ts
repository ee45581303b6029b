/**
 * syslet-aio's public barrel: the package root. The engine basics (syslets, the chain builder,
 * the completion ring, the policy), the typed errors, the plugin layer, the glibc-style POSIX AIO
 * shim with its Promise twins, and compat32 as one namespace. Internals (executor, cachemiss
 * pool, request records) are not exported.
 */

// The engine.
export { Engine, type EngineOptions, type ChainCompletion, type ChainListener, type RingRegistration, type SubmitReport, type ExecOutcome } from './engine/engine.js';
export { ChainBuilder, Cell, Bytes, type ArgInput, type AtomOptions, type AtomRef, type ChainBuilderOptions } from './engine/builder.js';
export {
  SYSLET_ASYNC, SYSLET_SYNC, SYSLET_NO_COMPLETE, SYSLET_STOP_ON_NONZERO, SYSLET_STOP_ON_ZERO, SYSLET_STOP_ON_NEGATIVE,
  SYSLET_STOP_ON_NON_POSITIVE, SYSLET_STOP_MASK, SYSLET_SKIP_TO_NEXT_ON_STOP, SYSLET_VALID_FLAGS, ATOM, STOP, STOP_NAMES, type StopReason,
} from './engine/atom.js';
export { negotiateRing, RING_VERSIONS, RING_ENTRY_SIZE, type RingCapabilities, type RingRequest, type Completion } from './engine/ring.js';
export { Policy, type TraceRecord } from './engine/policy.js';
export type { Region } from './engine/memory.js';
// Types the public API refers to (Engine.memory, Engine.ring, Cell.value...), exported for the docs.
export type { MemoryRegistry, RegionKind, RegionSegments, SegmentSpec } from './engine/memory.js';
export type { CompletionRing } from './engine/ring.js';
export type { FinishedSink } from './engine/pool.js';
export type { Word } from './engine/native/index.js';
export { ERRNO_LIST } from './engine/native/index.js';
export { errnoName, errnoMessage, errnoNumber } from './engine/errno-api.js';
// The FFI boundary's own raw call, for measuring it and for the odd call outside a chain. It is
// not an atom: no policy, no pointer confinement (an address is the caller's responsibility).
export { syscall } from './engine/native/index.js';

// The typed errors' base class and guard (the subclasses come with their layers below), the error of
// a failed system call with Node's fields, and Node's AbortError.
export {
  SysletError, isSysletError, SyscallError, AbortError, isAbortError, nodeErrorFields, type NodeErrorFields,
} from './engine/errors.js';

// Canned syslets.
export { definePlugin, Plugin, PluginInstance, type PluginRunResult, type AtomOutcome } from './plugins/plugin.js';
export { composePlugins } from './plugins/compose.js';
export { PluginDefinitionError } from './plugins/errors.js';
export type { PluginDefinition, PluginParams, ParamKind, AtomTemplate, ArgTemplate } from './plugins/types.js';
export type { PluginLayout, ParamMirror } from './plugins/define.js';
// The syscall table's vocabulary: what a row says about a call (compat32's atoms carry their row).
export type { SyscallSpec, ArgSpec, PointerArg, ScalarArg, ScalarKind, PointerLength, BlockClass, Probe, PolicyRule, I386Arg, I386Shape, Compat32Struct } from './engine/syscalls/types.js';
// The rest of the plugin layer (registry, built-ins, path helpers, PluginRegistryError), so that a
// plugin module needs only the package root.
export * from './plugins/index.js';

// POSIX AIO, glibc-style, and its Promise twins.
export * from './shim/index.js';
// Both the plugin layer and the AIO constants define SI_ASYNCIO (-4, the same value); name one.
export { SI_ASYNCIO } from './shim/constants.js';

// The kernel's constants, read from the system headers (O_*, AT_*, AF_*, SOCK_*, MSG_*, S_I*,
// SEEK_*, RWF_*, RESOLVE_*, POLL*, PROT_*/MAP_*, SIGEV_*, SI_*...), and builders for the structs
// chains pass by pointer (sockaddr_in/in6/un, timespec, iovec).
export * from './engine/syscalls/constants.generated.js';
export {
  sockaddr_in, sockaddr_in6, sockaddr_un, timespec, iovec, type IovecEntry, SOCKADDR_IN, SOCKADDR_IN6, SOCKADDR_UN, IOVEC64, TIMESPEC64,
  type StructLayout, type FieldLayout,
} from './engine/structs.js';

// i386 images and chains: compat32.Arena32, compat32.convertChain, compat32.runConverted... A
// namespace, because its many layout constants (UATOM32, AIOCB32...) would crowd the root.
export * as compat32 from './compat32/index.js';
