/**
 * The descriptors and mappings each worker thread's engines hold, recorded process-wide, so that
 * those of a worker that was terminated are given back.
 *
 * Why: `worker.terminate()` (a pool's idle timeout: piscina, tinypool, a test runner's isolated
 * workers) ends a worker without running any of its JavaScript, so the 'exit' handlers that close
 * an engine's io_uring ring, its eventfd and the signal module's signalfd never run, and every
 * terminated worker left them in the process for good (session 21: 43–212 fds a process of 20
 * workers). Nothing of the worker's isolate can run again, and no other isolate can see its
 * objects, so the record lives in native memory that every thread of the process finds: one
 * block mapped at a fixed address ({@link REGISTRY_ADDRESS}, MAP_FIXED_NOREPLACE: the first
 * thread maps it, the others find it there), guarded by a robust pthread mutex (a worker
 * terminated while holding it does not lock the others out: the next locker gets EOWNERDEAD).
 * Each entry names its owner thread by tid and start time (/proc/thread-self/stat); an engine
 * started on any thread releases the entries of owners that no longer exist
 * ({@link releaseResourcesOfEndedThreads}), each only after checking that the fd number still
 * names that kind of file and the mapping is still that mapping — and, where the kernel names
 * each file apart (an io_uring instance's own inode, an eventfd's `eventfd-id`), that it is still
 * the very file recorded. With that identity, a thread closes first and lets go after
 * ({@link closeHeld}): a worker terminated in between (its exit handlers are JavaScript, and
 * terminate() stops them anywhere) leaves an entry that can never match again, where letting go
 * first left the file open for good (session 25: one ring a CI run, after a worker was
 * terminated during its own exit).
 *
 * Only worker threads record anything: the main thread's resources go with the process. Nothing
 * is recorded or released where /proc is not this process's own (proc-self.ts). When
 * the fixed address is taken by something else, or the block is full, nothing is recorded and
 * a terminated worker's resources stay, as before this module. How a thread, a file and a mapping
 * are told apart through /proc is engine/native/thread-identity.ts.
 */
import { isMainThread } from 'node:worker_threads';
import { libc, syscall } from './libc.js';
import { viewOf } from './memory.js';
import { procIsThisProcess } from './proc-self.js';
import { EEXIST, EOWNERDEAD } from './errno.js';
import { NR } from '../syscalls/nr.js';
import { THREAD_RESOURCE, identityOf, linkIsOfKind, linkOf, readProc, ringMappingAt, startTimeOf, threadIdentity, timerSignalsThread, type ThreadIdentity } from './thread-identity.js';
import { MAP_ANONYMOUS, MAP_FIXED_NOREPLACE, MAP_PRIVATE, PROT_READ, PROT_WRITE } from '../syscalls/constants.generated.js';

export { THREAD_RESOURCE, identityOf, type ThreadIdentity } from './thread-identity.js';

/** Where the block is mapped: far from where the kernel's mmap and the heap place things on x86-64. */
const REGISTRY_ADDRESS = 0x2f5b_7e6d_0000;
const REGISTRY_BYTES = 64 * 1024;
/** 'SYLR' and the layout's version, then the creating process's pid: written last by the creator. */
const MAGIC = 0x53594c52;
/** 2: entries carry the file's identity (word 6), which version 1 left as it found it. */
const LAYOUT_VERSION = 2;
const MUTEX_AT = 64;
const ENTRIES_AT = 128;
/** Float64 words per entry: owner tid (0: free), owner start time, kind, fd, a, b, the file's identity (0: none). */
const ENTRY_WORDS = 8;
const ENTRY_COUNT = Math.floor((REGISTRY_BYTES - ENTRIES_AT) / (ENTRY_WORDS * 8));
const PTHREAD_MUTEX_ROBUST = 1;
/** sizeof(pthread_mutexattr_t) on x86-64 glibc, rounded up. */
const MUTEXATTR_BYTES = 8;

/** The libc calls the block needs, bound when a thread first uses it (not at import: see mutexCalls). */
interface MutexCalls {
  readonly attrInit: (attr: number) => number;
  readonly attrSetrobust: (attr: number, robust: number) => number;
  readonly init: (mutex: number, attr: number) => number;
  readonly lock: (mutex: number) => number;
  readonly unlock: (mutex: number) => number;
  readonly consistent: (mutex: number) => number;
}

/**
 * mutexCalls - bind the pthread calls. Lazily: each koffi binding made at import is one more call
 * that aborts the process if the thread is terminated while making it (Koromix/koffi#190), and
 * every thread that loads the engine would make them, cachemiss threads included.
 */
function mutexCalls(): MutexCalls {
  return {
    attrInit: libc.func('int pthread_mutexattr_init(intptr_t attr)') as (attr: number) => number,
    attrSetrobust: libc.func('int pthread_mutexattr_setrobust(intptr_t attr, int robust)') as (attr: number, robust: number) => number,
    init: libc.func('int pthread_mutex_init(intptr_t mutex, intptr_t attr)') as (mutex: number, attr: number) => number,
    lock: libc.func('int pthread_mutex_lock(intptr_t mutex)') as (mutex: number) => number,
    unlock: libc.func('int pthread_mutex_unlock(intptr_t mutex)') as (mutex: number) => number,
    consistent: libc.func('int pthread_mutex_consistent(intptr_t mutex)') as (mutex: number) => number,
  };
}

interface Registry {
  readonly words: Float64Array;
  readonly calls: MutexCalls;
}

/** This thread's view of the block: undefined until first needed, null when there is none. */
let registry: Registry | null | undefined;

/**
 * thisWorkerThread - this thread's identity, for a thread it starts to record resources in its
 * name ({@link holdForThread}); null on the main thread (its resources go with the process).
 */
export function thisWorkerThread(): ThreadIdentity | null {
  // A /proc of another pid namespace lists other tids than gettid() gives: nothing is recorded.
  if (isMainThread || !procIsThisProcess()) return null;
  const owner = threadIdentity();
  if (owner.start < 0) return null;
  // Open (and bind the mutex calls of) the block now, while the thread runs: the thread gives
  // back what is recorded in its name while it may be being terminated, and a koffi binding made
  // then aborts the process (Koromix/koffi#190; a PID namespace run died so at exit, 1 of 60).
  return theRegistry() === null ? null : owner;
}

/** Whether the mapping at REGISTRY_ADDRESS is an anonymous private read-write one of our size. */
function mappedAsOurs(): boolean {
  const start = REGISTRY_ADDRESS.toString(16);
  const end = (REGISTRY_ADDRESS + REGISTRY_BYTES).toString(16);
  // ('' when it cannot be read: matches nothing.)
  const maps = readProc('/proc/self/maps');
  const at = maps.indexOf(`\n${start}-${end} rw-p 00000000 00:00 0 `);
  return at >= 0 || maps.startsWith(`${start}-${end} rw-p 00000000 00:00 0 `);
}

function openRegistry(): Registry | null {
  const pid = process.pid;
  const mapped = syscall(NR.mmap, REGISTRY_ADDRESS, REGISTRY_BYTES, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
  if (mapped === REGISTRY_ADDRESS) {
    const words = new Float64Array(viewOf(REGISTRY_ADDRESS, REGISTRY_BYTES));
    const ints = new Int32Array(words.buffer);
    const attr = REGISTRY_ADDRESS + ENTRIES_AT - MUTEXATTR_BYTES;
    const calls = mutexCalls();
    if (calls.attrInit(attr) !== 0 || calls.attrSetrobust(attr, PTHREAD_MUTEX_ROBUST) !== 0 || calls.init(REGISTRY_ADDRESS + MUTEX_AT, attr) !== 0) return null;
    ints[2] = pid;
    ints[1] = LAYOUT_VERSION;
    // Last: a thread that finds the block mapped uses it once this says it is ready.
    Atomics.store(ints, 0, MAGIC);
    return { words, calls };
  }
  if (mapped >= 0) {
    // An old kernel without MAP_FIXED_NOREPLACE placed it elsewhere: not ours to keep.
    syscall(NR.munmap, mapped, REGISTRY_BYTES);
    return null;
  }
  if (mapped !== -EEXIST || !mappedAsOurs()) return null;
  const ints = new Int32Array(viewOf(REGISTRY_ADDRESS, REGISTRY_BYTES));
  // Another thread maps and initialises it: give it a moment (it makes three libc calls).
  const sleeper = new Int32Array(new SharedArrayBuffer(4));
  for (let spin = 0; spin < 100 && Atomics.load(ints, 0) !== MAGIC; spin++) Atomics.wait(sleeper, 0, 0, 1);
  if (ints[0] !== MAGIC || ints[1] !== LAYOUT_VERSION || ints[2] !== pid) return null;
  return { words: new Float64Array(ints.buffer), calls: mutexCalls() };
}

function theRegistry(): Registry | null {
  if (registry === undefined) registry = openRegistry();
  return registry;
}

/** Runs `body` with the block's mutex held; false when it could not be taken. */
function locked(body: (words: Float64Array) => void): boolean {
  const found = theRegistry();
  if (found === null) return false;
  const mutex = REGISTRY_ADDRESS + MUTEX_AT;
  const calls = found.calls;
  const taken = calls.lock(mutex);
  // Its last holder ended holding it (a terminated worker): the entries are whole (see hold).
  if (taken === EOWNERDEAD) calls.consistent(mutex);
  else if (taken !== 0) return false;
  try {
    body(found.words);
  } finally {
    calls.unlock(mutex);
  }
  return true;
}

/**
 * holdForThisThread - record that this worker thread holds a resource its engine will give back
 * itself; if the thread is terminated first, {@link releaseResourcesOfEndedThreads} does. Nothing
 * on the main thread.
 * @param kind - a {@link THREAD_RESOURCE} kind.
 * @param fd - its fd (for a mapping: -1).
 * @param address - a mapping's address (0 for an fd).
 * @param size - a mapping's size (0 for an fd).
 * @param identity - which file it is, where the kernel tells them apart ({@link identityOf}; a
 *   ring's mapping: its ring's), or 0.
 */
export function holdForThisThread(kind: number, fd: number, address = 0, size = 0, identity?: number): void {
  const owner = thisWorkerThread();
  if (owner !== null) holdForThread(owner, kind, fd, address, size, identity ?? identityOf(kind, fd));
}

/**
 * holdForThread - as {@link holdForThisThread}, in the name of `owner` (a worker thread that
 * started this one and gives the resource back itself: a cachemiss thread's clock file).
 */
export function holdForThread(owner: ThreadIdentity, kind: number, fd: number, address = 0, size = 0, identity = 0): void {
  locked((words) => {
    for (let at = ENTRIES_AT / 8, i = 0; i < ENTRY_COUNT; i++, at += ENTRY_WORDS) {
      if (words[at] !== 0) continue;
      words[at + 1] = owner.start;
      words[at + 2] = kind;
      words[at + 3] = fd;
      words[at + 4] = address;
      words[at + 5] = size;
      words[at + 6] = identity;
      // The owner last: an entry is in use only once it is whole (a holder may end mid-way).
      words[at] = owner.tid;
      return;
    }
  });
}

/**
 * letGo - this thread gives back a resource recorded with {@link holdForThisThread}: call before
 * closing the fd or unmapping, so no other thread can release it after its number is reused.
 */
export function letGo(kind: number, fd: number, address = 0): void {
  // Nothing was recorded by or for a thread that never opened the block (the main thread, a
  // foreign /proc): opening it now, maybe mid-termination, is what must not happen (see above).
  if (isMainThread || registry === null || registry === undefined) return;
  const owner = threadIdentity();
  locked((words) => {
    for (let at = ENTRIES_AT / 8, i = 0; i < ENTRY_COUNT; i++, at += ENTRY_WORDS) {
      if (words[at] === owner.tid && words[at + 1] === owner.start && words[at + 2] === kind && words[at + 3] === fd && words[at + 4] === address) {
        words[at] = 0;
        return;
      }
    }
  });
}

/**
 * closeHeld - close an fd recorded with {@link holdForThisThread} and give its entry back, in the
 * order that cannot go wrong if this thread is terminated in between: when the kernel tells the
 * file apart ({@link identityOf}), close first (a left entry never matches another file); when
 * not, let go first (a termination in between leaves the fd open, never closes another's).
 */
export function closeHeld(kind: number, fd: number): void {
  if (isMainThread || registry === null || registry === undefined) {
    syscall(NR.close, fd);
  } else if (identityOf(kind, fd) !== 0) {
    syscall(NR.close, fd);
    letGo(kind, fd);
  } else {
    letGo(kind, fd);
    syscall(NR.close, fd);
  }
}

/**
 * releaseResourcesOfEndedThreads - close the fds and unmap the rings that threads of this process
 * recorded and no longer exist to give back (terminated workers). Each fd is closed only if it
 * still names a file of its kind, each mapping unmapped only if it is still a ring's.
 * @returns how many resources were released.
 */
export function releaseResourcesOfEndedThreads(): number {
  // Where /proc is another pid namespace's, every live thread would look ended (proc-self.ts).
  if (registry === null || !procIsThisProcess()) return 0;
  let released = 0;
  const alive = new Map<number, boolean>();
  let maps: string | undefined;
  let timers: string | undefined;
  const me = isMainThread ? null : threadIdentity();
  locked((words) => {
    for (let at = ENTRIES_AT / 8, i = 0; i < ENTRY_COUNT; i++, at += ENTRY_WORDS) {
      const tid = words[at] as number;
      if (tid === 0) continue;
      const start = words[at + 1] as number;
      if (me !== null && tid === me.tid && start === me.start) continue;
      let lives = alive.get(tid * 1e9 + start);
      if (lives === undefined) {
        lives = startTimeOf(`/proc/self/task/${tid}/stat`) === start;
        alive.set(tid * 1e9 + start, lives);
      }
      if (lives) continue;
      const kind = words[at + 2] as number;
      const fd = words[at + 3] as number;
      const identity = words[at + 6] as number;
      if (kind === THREAD_RESOURCE.ringMapping) {
        maps ??= readProc('/proc/self/maps');
        if (ringMappingAt(maps, words[at + 4] as number, words[at + 5] as number, identity)) {
          syscall(NR.munmap, words[at + 4], words[at + 5]);
          released++;
        }
      } else if (kind === THREAD_RESOURCE.signalTimer) {
        timers ??= readProc('/proc/self/timers');
        if (timerSignalsThread(timers, fd, words[at + 5] as number)) {
          syscall(NR.timer_delete, fd);
          released++;
        }
      } else if (linkIsOfKind(linkOf(fd), kind) && (identity === 0 || identityOf(kind, fd) === identity)) {
        syscall(NR.close, fd);
        released++;
      }
      words[at] = 0;
    }
  });
  return released;
}
