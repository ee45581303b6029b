/**
 * The io_uring user ABI this prototype speaks, declared by hand (the project keeps C-ABI mirrors
 * in TypeScript and checks them against gcc: see uring-layout-matches-gcc.test.ts). Field names
 * keep their C names. Nothing here touches native code: it is data, usable from any layer.
 *
 * Source of truth: <linux/io_uring.h> (the installed 6.1 uapi header for layouts; opcode numbers
 * past IORING_OP_SENDMSG_ZC come from the current uapi header, since the kernel here is 6.18 and
 * the installed header predates them).
 */

/** struct io_sqring_offsets: 40 bytes. */
export const IO_SQRING_OFFSETS = { head: 0, tail: 4, ring_mask: 8, ring_entries: 12, flags: 16, dropped: 20, array: 24, resv1: 28, resv2: 32, size: 40 } as const;
/** struct io_cqring_offsets: 40 bytes. */
export const IO_CQRING_OFFSETS = { head: 0, tail: 4, ring_mask: 8, ring_entries: 12, overflow: 16, cqes: 20, flags: 24, resv1: 28, resv2: 32, size: 40 } as const;
/** struct io_uring_params: 120 bytes; sq_off and cq_off are the two structs above. */
export const IO_URING_PARAMS = {
  sq_entries: 0, cq_entries: 4, flags: 8, sq_thread_cpu: 12, sq_thread_idle: 16, features: 20, wq_fd: 24, resv: 28,
  sq_off: 40, cq_off: 80, size: 120,
} as const;
/**
 * struct io_uring_sqe: 64 bytes. Union members share offsets; the names are the ones each opcode
 * uses (off/addr2, addr/splice_off_in, rw_flags/fsync_flags/open_flags/..., splice_fd_in/file_index).
 */
export const IO_URING_SQE = {
  opcode: 0, flags: 1, ioprio: 2, fd: 4, off: 8, addr2: 8, addr: 16, splice_off_in: 16, len: 24,
  rw_flags: 28, fsync_flags: 28, poll32_events: 28, msg_flags: 28, timeout_flags: 28, accept_flags: 28, cancel_flags: 28,
  open_flags: 28, statx_flags: 28, splice_flags: 28, rename_flags: 28, unlink_flags: 28,
  user_data: 32, buf_index: 40, personality: 42, splice_fd_in: 44, file_index: 44, addr_len: 44, addr3: 48, size: 64,
} as const;
/** struct io_uring_cqe: 16 bytes (CQE32 rings are not used). */
export const IO_URING_CQE = { user_data: 0, res: 8, flags: 12, size: 16 } as const;
/** struct io_uring_probe: 16-byte header, then io_uring_probe_op[ops_len] of 8 bytes each. */
export const IO_URING_PROBE = { last_op: 0, ops_len: 1, resv: 2, resv2: 4, ops: 16, size: 16 } as const;
export const IO_URING_PROBE_OP = { op: 0, resv: 1, flags: 2, resv2: 4, size: 8 } as const;

/** mmap offsets (IORING_OFF_*). */
export const IORING_OFF_SQ_RING = 0;
export const IORING_OFF_CQ_RING = 0x8000000;
export const IORING_OFF_SQES = 0x10000000;

/** io_uring_setup flags. */
export const IORING_SETUP_SQPOLL = 1 << 1;
export const IORING_SETUP_CQSIZE = 1 << 3;
export const IORING_SETUP_CLAMP = 1 << 4;
export const IORING_SETUP_SUBMIT_ALL = 1 << 7;
export const IORING_SETUP_COOP_TASKRUN = 1 << 8;
export const IORING_SETUP_TASKRUN_FLAG = 1 << 9;
export const IORING_SETUP_SINGLE_ISSUER = 1 << 12;
export const IORING_SETUP_DEFER_TASKRUN = 1 << 13;

/** params.features bits. */
export const IORING_FEAT_SINGLE_MMAP = 1 << 0;
export const IORING_FEAT_NODROP = 1 << 1;
export const IORING_FEAT_SUBMIT_STABLE = 1 << 2;
export const IORING_FEAT_RW_CUR_POS = 1 << 3;
export const IORING_FEAT_NATIVE_WORKERS = 1 << 9;
export const FEATURE_NAMES: readonly string[] = [
  'SINGLE_MMAP', 'NODROP', 'SUBMIT_STABLE', 'RW_CUR_POS', 'CUR_PERSONALITY', 'FAST_POLL', 'POLL_32BITS', 'SQPOLL_NONFIXED',
  'EXT_ARG', 'NATIVE_WORKERS', 'RSRC_TAGS', 'CQE_SKIP', 'LINKED_FILE', 'REG_REG_RING', 'RECVSEND_BUNDLE', 'MIN_TIMEOUT',
  'RW_ATTR', 'NO_IOWAIT',
];

/** sq ring flags (IORING_SQ_*), read from the shared ring. */
export const IORING_SQ_NEED_WAKEUP = 1 << 0;
export const IORING_SQ_CQ_OVERFLOW = 1 << 1;
export const IORING_SQ_TASKRUN = 1 << 2;

/** io_uring_enter flags. */
export const IORING_ENTER_GETEVENTS = 1 << 0;
export const IORING_ENTER_SQ_WAKEUP = 1 << 1;

/** io_uring_register opcodes used here. */
export const IORING_REGISTER_EVENTFD = 4;
export const IORING_UNREGISTER_EVENTFD = 5;
export const IORING_REGISTER_PROBE = 8;
/** Registers a table of files; an entry of -1 is an empty slot (a sparse table, Linux 5.19+ for direct opens). */
export const IORING_REGISTER_FILES = 2;

/** sqe.flags */
export const IOSQE_FIXED_FILE = 1 << 0;
export const IOSQE_IO_LINK = 1 << 2;
export const IOSQE_IO_HARDLINK = 1 << 3;
export const IOSQE_ASYNC = 1 << 4;
export const IOSQE_CQE_SKIP_SUCCESS = 1 << 6;

/** Flag values carried in sqe op-specific words. */
export const IORING_FSYNC_DATASYNC = 1 << 0;
export const IORING_TIMEOUT_ABS = 1 << 0;
export const IORING_TIMEOUT_BOOTTIME = 1 << 2;
export const IORING_TIMEOUT_REALTIME = 1 << 3;
export const IORING_ASYNC_CANCEL_ALL = 1 << 0;
export const IORING_ASYNC_CANCEL_ANY = 1 << 2;
export const IO_URING_OP_SUPPORTED = 1 << 0;

/** enum io_uring_op (the numbering is ABI: values never change, new ones are appended). */
export const IORING_OP = {
  NOP: 0, READV: 1, WRITEV: 2, FSYNC: 3, READ_FIXED: 4, WRITE_FIXED: 5, POLL_ADD: 6, POLL_REMOVE: 7, SYNC_FILE_RANGE: 8,
  SENDMSG: 9, RECVMSG: 10, TIMEOUT: 11, TIMEOUT_REMOVE: 12, ACCEPT: 13, ASYNC_CANCEL: 14, LINK_TIMEOUT: 15, CONNECT: 16,
  FALLOCATE: 17, OPENAT: 18, CLOSE: 19, FILES_UPDATE: 20, STATX: 21, READ: 22, WRITE: 23, FADVISE: 24, MADVISE: 25,
  SEND: 26, RECV: 27, OPENAT2: 28, EPOLL_CTL: 29, SPLICE: 30, PROVIDE_BUFFERS: 31, REMOVE_BUFFERS: 32, TEE: 33,
  SHUTDOWN: 34, RENAMEAT: 35, UNLINKAT: 36, MKDIRAT: 37, SYMLINKAT: 38, LINKAT: 39, MSG_RING: 40, FSETXATTR: 41,
  SETXATTR: 42, FGETXATTR: 43, GETXATTR: 44, SOCKET: 45, URING_CMD: 46, SEND_ZC: 47, SENDMSG_ZC: 48,
  // Past the installed 6.1 header (current uapi header):
  READ_MULTISHOT: 49, WAITID: 50, FUTEX_WAIT: 51, FUTEX_WAKE: 52, FUTEX_WAITV: 53, FIXED_FD_INSTALL: 54, FTRUNCATE: 55,
  BIND: 56, LISTEN: 57, RECV_ZC: 58, EPOLL_WAIT: 59, READV_FIXED: 60, WRITEV_FIXED: 61, PIPE: 62,
} as const;
export type OpName = keyof typeof IORING_OP;

/** opName - the IORING_OP_ name of an opcode number, or `op<n>` when it is newer than this table. */
export function opName(op: number): string {
  for (const [name, value] of Object.entries(IORING_OP)) if (value === op) return name;
  return `op${op}`;
}
