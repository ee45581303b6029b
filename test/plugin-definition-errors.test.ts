/**
 * Every way a template can be wrong is caught by definePlugin, at definition time, as a
 * PluginDefinitionError naming the plugin, the atom index (-1 when no single atom is at fault)
 * and the field.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { definePlugin, MAX_PLUGIN_ATOMS, PluginDefinitionError, type AtomCall, type PluginDefinition } from '../plugins/index.js';

const getpid = { call: 'getpid' as const, args: [] };

const CASES: [what: string, definition: PluginDefinition, atomIndex: number, field: string, message: RegExp][] = [
  ['unknown syscall', { name: 't.unknown', params: {}, atoms: [getpid, { call: 'frobnicate' as AtomCall, args: [] }] }, 1, 'call', /unknown syscall 'frobnicate'/],
  ['denied syscall', { name: 't.denied', params: {}, atoms: [{ call: 'fork' as AtomCall, args: [] }] }, 0, 'call', /'fork' is denied: would duplicate the process/],
  ['wrong argument count', { name: 't.count', params: {}, atoms: [{ call: 'close', args: [3, 4] }] }, 0, 'args', /close takes 1 arguments, got 2/],
  ['wrong kind: a pointer where an fd goes', { name: 't.kind', params: { p: 'ptr' }, atoms: [{ call: 'close', args: [{ param: 'p' }] }] }, 0, 'args[0]', /fd wants a fd, got ptr/],
  ['wrong kind: a literal address', { name: 't.literal', params: {}, atoms: [{ call: 'fstat', args: [0, 4096] }] }, 0, 'args[1]', /statbuf is a pointer/],
  ['wrong kind: NULL for a non-nullable pointer', { name: 't.null', params: {}, atoms: [{ call: 'fstat', args: [0, 0] }] }, 0, 'args[1]', /may not be NULL/],
  ['reference to a later atom', { name: 't.later', params: {}, atoms: [{ call: 'close', args: [{ result: 1 }] }, getpid] }, 0, 'args[0]', /refers to atom 1, which does not run before atom 0/],
  ['reference to itself', { name: 't.self', params: {}, atoms: [getpid, { call: 'close', args: [{ result: 1 }] }] }, 1, 'args[0]', /refers to atom 1/],
  ['too many atoms', { name: 't.many', params: {}, atoms: new Array(MAX_PLUGIN_ATOMS + 1).fill(getpid) }, -1, 'atoms', /17 atoms; at most 16/],
  ['no atoms', { name: 't.none', params: {}, atoms: [] }, -1, 'atoms', /at least one atom/],
  ['unused parameter', { name: 't.unused', params: { fd: 'fd', spare: 'int' }, atoms: [{ call: 'close', args: [{ param: 'fd' }] }] }, -1, 'params.spare', /is never used/],
  ['unknown parameter', { name: 't.param', params: {}, atoms: [{ call: 'close', args: [{ param: 'fd' }] }] }, 0, 'args[0]', /unknown parameter 'fd'/],
  ['unknown parameter kind', { name: 't.pkind', params: { fd: 'handle' as 'fd' }, atoms: [{ call: 'close', args: [{ param: 'fd' }] }] }, -1, 'params.fd', /unknown kind 'handle'/],
  ['bad next', { name: 't.next', params: {}, atoms: [{ ...getpid, next: 2 }, getpid] }, 0, 'next', /no atom 2/],
  ['negative next', { name: 't.next2', params: {}, atoms: [getpid, { ...getpid, next: -1 }] }, 1, 'next', /no atom -1/],
  ['bad flags', { name: 't.flags', params: {}, atoms: [{ ...getpid, flags: 0x100 }] }, 0, 'flags', /invalid flags 256/],
  ['unknown cell', { name: 't.cell', params: {}, atoms: [{ call: 'umem_add', args: [{ ref: 'n' }, 1] }] }, 0, 'args[0]', /unknown cell 'n'/],
  ['cell from an unknown parameter', { name: 't.cellp', params: {}, cells: { n: { param: 'x' } }, atoms: [getpid] }, -1, 'cells.n', /unknown parameter 'x'/],
  ['scratch too small for the struct', { name: 't.scratch', params: {}, scratch: { st: 64 }, atoms: [{ call: 'fstat', args: [0, { scratch: 'st' }] }] }, 0, 'args[1]', /needs 144 bytes; scratch 'st' has 64/],
  ['scratch field outside its area', { name: 't.field', params: {}, scratch: { s: { size: 8, fields: [{ at: 6, width: 4, value: 1 }] } }, atoms: [getpid] }, -1, 'scratch.s', /outside 8 bytes/],
  ['bad plugin name', { name: 'Not A Name', params: {}, atoms: [getpid] }, -1, 'name', /dotted identifiers/],
];

for (const [what, definition, atomIndex, field, message] of CASES) {
  test(`definePlugin rejects: ${what}`, () => {
    assert.throws(
      () => definePlugin(definition),
      (error: unknown) => {
        assert.ok(error instanceof PluginDefinitionError, String(error));
        assert.equal(error.plugin, definition.name);
        assert.equal(error.atomIndex, atomIndex);
        assert.equal(error.field, field);
        assert.match(error.message, message);
        assert.ok(error.message.startsWith(`plugin '${definition.name}'${atomIndex >= 0 ? ` atom ${atomIndex}` : ''} ${field}: `), error.message);
        return true;
      },
    );
  });
}
