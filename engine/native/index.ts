/** The FFI boundary's public face: everything above engine/native imports from here. */
export { syscall, preadv2, syscallBig, syscallWord, symbolAddress, installHarmlessHandler, installInterruptingHandler, signalHandledForGood, type Word } from './libc.js';
export { allocNative, releaseNative, viewOf, peekByte, addressOf, mapLow, unmapLow, type NativeBlock, type LowMapping } from './memory.js';
export * from './errno.js';
export { watchReadable, type FdWatcher } from './poll.js';
export { OWN_THREAD_KOFFI_CONFIG, THREAD_RESOURCE_LIMITS, workerEnv, withoutLoaders } from './worker-env.js';
export { setupRing, ringEnter, registerEventfd, unregisterEventfd, registerSparseFiles, probeOpcodes, type RingSetup, type RingMapping, type SqOffsets, type CqOffsets } from './uring.js';
export * from './uring-abi.js';
export { procIsThisProcess } from './proc-self.js';
export { THREAD_RESOURCE, closeHeld, holdForThisThread, holdForThread, identityOf, letGo, releaseResourcesOfEndedThreads, thisWorkerThread, type ThreadIdentity } from './thread-resources.js';
