/**
 * A parameter written into a scratch field narrower than its value must be refused (an error
 * naming the parameter), not truncated. net.request writes `port` into the 2-byte sin_port of its
 * sockaddr scratch area: `port=70000` connected to port 4464 (70000 & 0xffff) and `port=-1` to
 * 65535, silently (found by hunt19 with `syslet-aio run net.request --param port=70000 ...`
 * against a server on 127.0.0.1:4464, which answered). The same holds for any field of width 2
 * or 4 fed by a `uint`/`int` parameter.
 *
 * Fixed by the coordinator: PluginInstance.setParams checks a scalar parameter against every
 * 2- or 4-byte field it is copied into (unsigned kinds 0 … 2^(8w) - 1, signed ones two's
 * complement) and throws a RangeError naming the parameter.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EXIT } from '../cli/errors.js';
import { bufferIo } from '../cli/io.js';
import { runCli } from '../cli/program.js';

async function run(args: readonly string[]) {
  const io = bufferIo();
  const code = await runCli(['run', ...args], io);
  return { code, stdout: io.stdout(), stderr: io.stderr() };
}

test('net.request with a port outside 16 bits is refused, naming the port', { timeout: 60_000 }, async () => {
  for (const port of ['70000', '-1', '65536']) {
    const result = await run(['net.request', '--param', 'addr=ip:127.0.0.1', '--param', `port=${port}`, '--param', 'req=@GET', '--param', 'reqLen=3', '--param', 'resp=buf:64', '--param', 'chunk=64', '--param', 'chunks=1']);
    assert.equal(result.code, EXIT.usage, `port=${port}: ${result.stderr}`);
    assert.match(result.stderr, /port/);
    assert.doesNotMatch(result.stdout, /connect/, `port=${port}: no connect was made`);
  }
});
