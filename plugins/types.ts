/**
 * The vocabulary of plugin definitions: a canned syslet is a short linear template of atoms (at
 * most {@link MAX_PLUGIN_ATOMS}) whose arguments are literals, named typed parameters, earlier
 * atoms' results, or plugin-local cells and scratch structs. Branches are syslet flags, loops are
 * a `next` back plus umem_add: nothing else (Linus, 2007: "linear sequences of max n ops ... read
 * in a single go").
 */

/** Most atoms one plugin may have. */
export const MAX_PLUGIN_ATOMS = 16;

/**
 * A parameter's kind. `fd`, `ptr` (an address in engine or registered memory) and `off64` only
 * fit arguments of the same kind; the integer kinds fit one another.
 */
export type ParamKind = 'int' | 'uint' | 'size' | 'flags' | 'fd' | 'off64' | 'ptr' | 'pid' | 'signo' | 'mode';

/**
 * One argument of an atom template:
 * - a number or bigint: a literal (a cell holds it);
 * - `{ param }`: a named parameter, filled per request;
 * - `{ result: i }`: the result of an earlier atom i (the fd from openat feeds pread64);
 * - `{ cell }`: the value of a plugin-local 64-bit cell (a loop offset, say);
 * - `{ ref }`: the address of a local cell (what umem_add's counter pointer wants);
 * - `{ scratch }`: the address of a plugin-local scratch area (a stat buffer, a siginfo);
 * - `{ resultRef: i }`: the address of atom i's result cell (aio_status reads a result through it).
 */
export type ArgTemplate =
  | number
  | bigint
  | {
    /** The name of a parameter (declared in {@link PluginDefinition.params}). */
    readonly param: string;
  }
  | {
    /** The index of an earlier atom whose result is the argument. */
    readonly result: number;
  }
  | {
    /** The name of a local cell whose value is the argument. */
    readonly cell: string;
  }
  | {
    /** The name of a local cell whose address is the argument. */
    readonly ref: string;
  }
  | {
    /** The name of a scratch area whose address is the argument. */
    readonly scratch: string;
  }
  | {
    /** The index of an atom whose result cell's address is the argument. */
    readonly resultRef: number;
  };

/** One atom of a template. */
export interface AtomTemplate {
  /** A syscall name from the table (`'pread64'`, `'umem_add'`...). */
  readonly call: string;
  /** The call's arguments, in order (as many as the call takes). */
  readonly args: readonly ArgTemplate[];
  /** SYSLET_* flags. */
  readonly flags?: number;
  /**
   * The index of the atom to run next: default the following one (none after the last). A
   * smaller index makes a loop; `null` ends the chain here.
   */
  readonly next?: number | null;
}

/** A field of a scratch area set from a parameter or a literal on every request. */
export interface ScratchField {
  /** Byte offset in the area. */
  readonly at: number;
  /** Bytes stored: the low `width` bytes of the value. */
  readonly width: 2 | 4 | 8;
  /**
   * Default `'little'` (the CPU's order). `'big'` stores network byte order, so a sockaddr_in's
   * port and address come straight from plain-number parameters.
   */
  readonly byteOrder?: 'little' | 'big';
  /** A parameter whose value goes here, or a literal. */
  readonly param?: string;
  /** The literal stored when there is no `param`. */
  readonly value?: number | bigint;
}

/**
 * The initial value of a local cell, restored on every request: a literal, or `{ param }` to
 * start from a parameter's value (a read cursor that starts at the caller's buffer, a countdown
 * that starts at the caller's limit). A cell started from a parameter has that parameter's kind.
 */
export type CellInit = number | bigint | {
  /** The parameter whose value the cell starts from. */
  readonly param: string;
};

/** A plugin-local byte area (a struct an atom reads or writes). */
export interface ScratchTemplate {
  /** The area's size in bytes; reset (zeros plus `fields`) on every request. */
  readonly size: number;
  /** Fields set from parameters or literals on every request (none by default). */
  readonly fields?: readonly ScratchField[];
}

/** What {@link definePlugin} takes. */
export interface PluginDefinition {
  /** Unique name, dotted by family: `aio.read`, `file.readAll`. */
  readonly name: string;
  /** One line for listings (default: empty). */
  readonly description?: string;
  /** The parameters filled per request, by name, with their kinds; each must be used. */
  readonly params: Readonly<Record<string, ParamKind>>;
  /** Local 64-bit cells with their initial value, reset on every request. */
  readonly cells?: Readonly<Record<string, CellInit>>;
  /** Local byte areas by name: a template, or just a size in bytes. Reset on every request. */
  readonly scratch?: Readonly<Record<string, ScratchTemplate | number>>;
  /** The atoms, run from index 0 (at most {@link MAX_PLUGIN_ATOMS}). */
  readonly atoms: readonly AtomTemplate[];
}

/** Parameter values for one request, by name. */
export type PluginParams = Readonly<Record<string, number | bigint>>;
