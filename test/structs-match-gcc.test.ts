// The struct builders the package exports (sockaddr_in, sockaddr_in6, sockaddr_un, timespec,
// iovec) lay their bytes out as the kernel reads them: the declared layouts match gcc's offsetof
// and sizeof against the system headers, and each builder's bytes equal those of the same struct
// filled in C (inet_pton, htons, strcpy...) and dumped byte by byte.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { STRUCT_LAYOUTS } from '../engine/structs.js';
import { iovec, sockaddr_in, sockaddr_in6, sockaddr_un, timespec } from '../index.js';
import { compilerProblem, expected, measure } from './layout-oracle.js';

function gccHere(t: TestContext): boolean {
  const problem = compilerProblem([]);
  if (problem === null) return true;
  if (process.env.CI !== undefined && process.env.CI !== '') assert.fail(`CI must check the struct layouts: ${problem}`);
  t.skip(problem);
  return false;
}

test('the builders\' layouts match gcc (offsetof and sizeof of every field)', (t) => {
  if (!gccHere(t)) return;
  assert.deepEqual(Object.fromEntries(measure(STRUCT_LAYOUTS, [])), Object.fromEntries(expected(STRUCT_LAYOUTS)));
});

// Each C expression fills a struct; the program prints its bytes in hex, one struct per line.
const C_CASES = {
  in4: 'struct sockaddr_in s; memset(&s, 0, sizeof s); s.sin_family = AF_INET; s.sin_port = htons(8080); inet_pton(AF_INET, "127.0.0.1", &s.sin_addr);',
  in4Number: 'struct sockaddr_in s; memset(&s, 0, sizeof s); s.sin_family = AF_INET; s.sin_port = htons(1); s.sin_addr.s_addr = htonl(0x0a000203);',
  in6: 'struct sockaddr_in6 s; memset(&s, 0, sizeof s); s.sin6_family = AF_INET6; s.sin6_port = htons(443); s.sin6_flowinfo = htonl(5); inet_pton(AF_INET6, "2001:db8::1", &s.sin6_addr); s.sin6_scope_id = 3;',
  in6Mapped: 'struct sockaddr_in6 s; memset(&s, 0, sizeof s); s.sin6_family = AF_INET6; s.sin6_port = htons(80); inet_pton(AF_INET6, "::ffff:10.0.0.1", &s.sin6_addr);',
  un: 'struct { struct sockaddr_un a; } w; memset(&w, 0, sizeof w); w.a.sun_family = AF_UNIX; strcpy(w.a.sun_path, "/tmp/app.sock"); unsigned char *p = (unsigned char *)&w.a; size_t n = offsetof(struct sockaddr_un, sun_path) + strlen(w.a.sun_path) + 1;',
  ts: 'struct timespec s = { .tv_sec = -2, .tv_nsec = 999999999 };',
  iov: 'struct iovec s[2] = { { (void *)0x1000, 16 }, { (void *)0x7fff00002000, 4096 } };',
} as const;

function cBytes(dir: string): Record<keyof typeof C_CASES, string> {
  const body = Object.entries(C_CASES).map(([name, fill]) => {
    const dump = name === 'un' ? '' : 'unsigned char *p = (unsigned char *)&s; size_t n = sizeof s;';
    return `  { ${fill} ${dump} printf("${name} "); for (size_t i = 0; i < n; i++) printf("%02x", p[i]); printf("\\n"); }`;
  });
  const source = ['#define _GNU_SOURCE', '#include <stdio.h>', '#include <string.h>', '#include <stddef.h>', '#include <time.h>', '#include <sys/uio.h>',
    '#include <sys/socket.h>', '#include <sys/un.h>', '#include <netinet/in.h>', '#include <arpa/inet.h>', 'int main(void) {', ...body, '  return 0;', '}', ''].join('\n');
  writeFileSync(join(dir, 'structs.c'), source);
  execFileSync('gcc', ['-w', join(dir, 'structs.c'), '-o', join(dir, 'structs')], { stdio: ['ignore', 'pipe', 'pipe'] });
  const lines = execFileSync(join(dir, 'structs'), { encoding: 'utf8' }).trim().split('\n');
  return Object.fromEntries(lines.map((line) => line.split(' '))) as Record<keyof typeof C_CASES, string>;
}

test('each builder\'s bytes equal the same struct filled in C', (t) => {
  if (!gccHere(t)) return;
  const dir = mkdtempSync(join(tmpdir(), 'syslet-structs-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const fromC = cBytes(dir);
  const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');
  assert.deepEqual(
    {
      in4: hex(sockaddr_in('127.0.0.1', 8080)),
      in4Number: hex(sockaddr_in(0x0a000203, 1)),
      in6: hex(sockaddr_in6('2001:db8::1', 443, 5, 3)),
      in6Mapped: hex(sockaddr_in6('::ffff:10.0.0.1', 80)),
      un: hex(sockaddr_un('/tmp/app.sock')),
      ts: hex(timespec(-2, 999_999_999)),
      iov: hex(iovec([{ base: 0x1000, length: 16 }, { base: 0x7fff00002000n, length: 4096 }])),
    },
    fromC,
  );
});

test('bad arguments are refused with Node-style errors naming them', () => {
  assert.throws(() => sockaddr_in('300.1.1.1', 80), { name: 'TypeError', code: 'ERR_INVALID_ARG_VALUE' });
  assert.throws(() => sockaddr_in('127.0.0.1', 70000), { name: 'RangeError', code: 'ERR_OUT_OF_RANGE', message: /"port"/ });
  assert.throws(() => sockaddr_in6('1::2::3', 80), { code: 'ERR_INVALID_ARG_VALUE', message: /'address'/ });
  assert.throws(() => sockaddr_un('x'.repeat(108)), { code: 'ERR_OUT_OF_RANGE' });
  assert.equal(sockaddr_un('\0abstract').length, 2 + 9, 'an abstract name has no trailing NUL');
  assert.throws(() => timespec(1, 1e9), { code: 'ERR_OUT_OF_RANGE', message: /"nanoseconds"/ });
  assert.throws(() => iovec([{ base: -1, length: 1 }]), { code: 'ERR_OUT_OF_RANGE', message: /entries\[0\]\.base/ });
});
