/**
 * The vocabulary of plugin definitions: a canned syslet is a short linear template of atoms (at
 * most {@link MAX_PLUGIN_ATOMS}) whose arguments are literals, named typed parameters, earlier
 * atoms' results, or plugin-local cells and scratch structs. Branches are syslet flags, loops are
 * a `next` back plus umem_add: nothing else (Linus, 2007: "linear sequences of max n ops ... read
 * in a single go").
 *
 * The types are generic so that `definePlugin` can check a literal definition at compile time:
 * the syscall name is a union from the table, and every `{ param }`, `{ cell }`, `{ scratch }`,
 * `{ result }` and `next` must name something the definition declares. Used without type
 * arguments (a definition read from JSON, say) they accept any name, and definePlugin checks the
 * same rules at run time.
 */
import type { Word } from '../engine/native/index.js';
import type { AtomCall } from '../engine/syscalls/table.js';

export type { AtomCall } from '../engine/syscalls/table.js';

/** Most atoms one plugin may have. */
export const MAX_PLUGIN_ATOMS = 16;

/**
 * A parameter passed as a 64-bit word. `fd`, `ptr` (an address in engine or registered memory)
 * and `off64` only fit arguments of the same kind; the integer kinds fit one another.
 */
export type ScalarParamKind = 'int' | 'uint' | 'size' | 'flags' | 'fd' | 'off64' | 'ptr' | 'pid' | 'signo' | 'mode';

/**
 * A parameter given as a JavaScript value, placed in engine memory for the run and released
 * when it ends:
 * - `path`: a string, Buffer/Uint8Array or file: URL, copied NUL-terminated (a C string);
 * - `in`: a Uint8Array (any ArrayBufferView) the kernel reads, registered for the run;
 * - `out`: a byte count; the run allocates that many zeroed bytes, the kernel writes them, and
 *   the result returns them (`outputs[name]`).
 */
export type BufferParamKind = 'path' | 'in' | 'out';

/** A parameter's kind. */
export type ParamKind = ScalarParamKind | BufferParamKind;

/** Every {@link ParamKind}, for checks and listings. */
export const PARAM_KINDS: readonly ParamKind[] = ['int', 'uint', 'size', 'flags', 'fd', 'off64', 'ptr', 'pid', 'signo', 'mode', 'path', 'in', 'out'];

/** Every {@link BufferParamKind}. */
export const BUFFER_PARAM_KINDS: readonly BufferParamKind[] = ['path', 'in', 'out'];

/** Parameters by name, with their kinds. */
export type ParamKinds = Readonly<Record<string, ParamKind>>;

/** An atom named by its index in the template, or by its `id`. */
export type AtomRef<Id extends string = string> = number | Id;

/**
 * One argument of an atom template:
 * - a number or bigint: a literal (a cell holds it);
 * - `{ param }`: a named parameter, filled per request (a buffer parameter: its address);
 * - `{ lengthOf }`: the byte length of a `path`, `in` or `out` parameter (a path's without its NUL);
 * - `{ result }`: the result of an atom that runs before this one on every path (the fd from
 *   openat feeds pread64), by index or id;
 * - `{ cell }`: the value of a plugin-local 64-bit cell (a loop offset, say);
 * - `{ ref }`: the address of a local cell (what umem_add's counter pointer wants);
 * - `{ scratch }`: the address of a plugin-local scratch area (a stat buffer, a siginfo);
 * - `{ resultRef }`: the address of an earlier atom's result cell (aio_status reads a result through it).
 */
export type ArgTemplate<P extends string = string, C extends string = string, S extends string = string, Id extends string = string> =
  | number
  | bigint
  | {
    /** The name of a parameter (declared in {@link PluginDefinition.params}). */
    readonly param: P;
  }
  | {
    /** The name of a `path`, `in` or `out` parameter whose byte length is the argument. */
    readonly lengthOf: P;
  }
  | {
    /** The atom (index or id) whose result is the argument; it must run before this one on every path. */
    readonly result: AtomRef<Id>;
  }
  | {
    /** The name of a local cell whose value is the argument. */
    readonly cell: C;
  }
  | {
    /** The name of a local cell whose address is the argument. */
    readonly ref: C;
  }
  | {
    /** The name of a scratch area whose address is the argument. */
    readonly scratch: S;
  }
  | {
    /** The atom (index or id) whose result cell's address is the argument; it must run before this one on every path. */
    readonly resultRef: AtomRef<Id>;
  };

/** One atom of a template. */
export interface AtomTemplate<P extends string = string, C extends string = string, S extends string = string, Id extends string = string> {
  /** A name for the atom, unique in the plugin: `{ result: 'open' }`, `next: 'done'`, `byId.open`. */
  readonly id?: Id;
  /** A note for readers (listings show it). */
  readonly description?: string;
  /** A syscall name from the table (`'pread64'`, `'umem_add'`...). */
  readonly call: AtomCall;
  /** The call's arguments, in order (as many as the call takes). */
  readonly args: readonly ArgTemplate<P, C, S, Id>[];
  /** SYSLET_* flags (0..0xff). */
  readonly flags?: number;
  /**
   * The atom to run next, by index or id: default the following one (none after the last). An
   * earlier one makes a loop; `null` ends the chain here.
   */
  readonly next?: AtomRef<Id> | null;
}

/** A field of a scratch area set from a parameter or a literal on every request. */
export interface ScratchField<P extends string = string> {
  /** Byte offset in the area. */
  readonly at: number;
  /** Bytes stored: the low `width` bytes of the value. */
  readonly width: 2 | 4 | 8;
  /**
   * Default `'little'` (the CPU's order). `'big'` stores network byte order, so a sockaddr_in's
   * port and address come straight from plain-number parameters.
   */
  readonly byteOrder?: 'little' | 'big';
  /** A parameter whose value (a buffer parameter: its address) goes here. */
  readonly param?: P;
  /** A `path`, `in` or `out` parameter whose byte length goes here (an iovec's iov_len). */
  readonly lengthOf?: P;
  /** The literal stored when there is no `param` or `lengthOf`. */
  readonly value?: number | bigint;
}

/**
 * The initial value of a local cell, restored on every request: a literal, or `{ param }` to
 * start from a parameter's value (a read cursor that starts at the caller's buffer, a countdown
 * that starts at the caller's limit). A cell started from a parameter has that parameter's kind.
 */
export type CellInit<P extends string = string> = number | bigint | {
  /** The parameter whose value the cell starts from. */
  readonly param: P;
};

/** A plugin-local byte area (a struct an atom reads or writes). */
export interface ScratchTemplate<P extends string = string> {
  /** The area's size in bytes (1..65536); reset (zeros plus `fields`) on every request. */
  readonly size: number;
  /** Fields set from parameters or literals on every request (none by default). */
  readonly fields?: readonly ScratchField<P>[];
}

/** What {@link definePlugin} takes. The type parameters are inferred from a literal definition. */
export interface PluginDefinition<P extends ParamKinds = ParamKinds, C extends string = string, S extends string = string, Id extends string = string> {
  /** Unique name, dotted by family: `aio.read`, `file.readAll`. */
  readonly name: string;
  /** One line for listings (default: empty). */
  readonly description?: string;
  /** The parameters filled per request, by name, with their kinds; each must be used. */
  readonly params: P;
  /** Local 64-bit cells with their initial value, reset on every request. */
  readonly cells?: { readonly [K in C]: CellInit<keyof P & string> };
  /** Local byte areas by name: a template, or just a size in bytes. Reset on every request. */
  readonly scratch?: { readonly [K in S]: ScratchTemplate<keyof P & string> | number };
  /** The atoms, run from index 0 (at most {@link MAX_PLUGIN_ATOMS}). */
  readonly atoms: readonly AtomTemplate<keyof P & string, C, S, Id>[];
}

/** A path as `path` parameters take it. */
export type PathValue = string | Uint8Array | URL;

/** Something with an `fd`, as a node:fs FileHandle: an `fd` parameter takes it for its descriptor. */
export interface FdHolder {
  /** The descriptor. */
  readonly fd: number;
  /** FileHandle's close (how a FileHandle is recognised). */
  close(): unknown;
}

/** The JavaScript value a parameter of kind `K` takes. */
export type ParamValue<K extends ParamKind> = K extends 'path' ? PathValue
  : K extends 'in' ? ArrayBufferView
    : K extends 'out' ? number
      : K extends 'fd' ? number | bigint | FdHolder
        : number | bigint;

/** The values of one request, by name: every parameter, nothing else. */
export type ParamValues<P extends ParamKinds> = { readonly [K in keyof P]: ParamValue<P[K]> };

/** Parameter values for one request, by name (any plugin). */
export type PluginParams = Readonly<Record<string, number | bigint | PathValue | ArrayBufferView | FdHolder>>;

/** The names of a definition's `out` parameters. */
export type OutParams<P extends ParamKinds> = { [K in keyof P]: P[K] extends 'out' ? K : never }[keyof P] & string;

/** A one-word atom result. */
export type AtomResult = Word;
