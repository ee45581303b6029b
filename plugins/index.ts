/**
 * The plugin layer's public face: define, compose, register and run canned syslets, the
 * built-ins, and the path-string helpers. Import from here (or from the package root).
 */
export { MAX_PLUGIN_ATOMS, PARAM_KINDS, BUFFER_PARAM_KINDS } from './types.js';
export type {
  ArgTemplate, AtomCall, AtomRef, AtomTemplate, BufferParamKind, CellInit, FdHolder, OutParams, ParamKind, ParamKinds, ParamValue, ParamValues, PathValue,
  PluginDefinition, PluginParams, ScalarParamKind, ScratchField, ScratchTemplate,
} from './types.js';
export { NOT_EXECUTED } from './define.js';
export { PluginDefinitionError, PluginRegistryError, isPluginDefinitionError } from './errors.js';
export {
  Plugin, PluginInstance, definePlugin, type AtomInput, type AtomOutcome, type DefinitionInput, type PluginAbortError, type PluginRunResult, type RunOptions, type StopName,
} from './plugin.js';
export { composePlugins } from './compose.js';
export { BUILTIN_PLUGINS, PluginRegistry, createDefaultRegistry, defaultRegistry, isPlugin } from './registry.js';
export { constantValue, definitionFromJson } from './json.js';
export {
  aioFdatasync, aioFsync, aioRead, aioReadStream, aioWrite, aioWriteStream,
} from './builtin/aio.js';
export { SI_ASYNCIO, notifySignal } from './builtin/notify.js';
export { COPY, READ_ALL, STAT_SIZE_OFFSET, fileCopy, fileOpenStat, fileReadAll } from './builtin/file.js';
export { REQUEST, ipv4, netRequest } from './builtin/net.js';
export {
  DEFAULT_MAX_BYTES, helperPoolStats, readFileInto, readFileSyslet, sysletError, type HelperOptions, type PathLike, type ReadFileOptions, type SysletPathError,
} from './helpers.js';
export { copyFileSyslet, type CopyFileOptions } from './copy-file-syslet.js';
export { DEFAULT_REQUEST_WINDOW, SLOT_DATA_BYTES, requestStats, setRequestWindow, type RequestStats } from './requests.js';
export {
  fileClose, fileReadFdMore, fileReadFdStart, fileReadMore, fileReadStart, fileReadStartOnCachemiss, READ_FD_MORE, READ_FD_START, READ_MORE, READ_START,
} from './builtin/file-read.js';
// The flags a template's atoms use, so a plugin module needs only this one import.
export {
  SYSLET_ASYNC, SYSLET_NO_COMPLETE, SYSLET_SKIP_TO_NEXT_ON_STOP, SYSLET_STOP_ON_NEGATIVE, SYSLET_STOP_ON_NONZERO,
  SYSLET_STOP_ON_NON_POSITIVE, SYSLET_STOP_ON_ZERO, SYSLET_SYNC,
} from '../engine/atom.js';
