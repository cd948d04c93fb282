#!/usr/bin/env node
// A fake agent CLI for SASE's launcher tests. It follows the fake protocol of @sase/launcher-core/testing:
// read all of stdin, write what it received to $SASE_FAKE_RECORD (atomically), then play $SASE_FAKE_SCENARIO:
//   <name>          replay the recorded output <name>.jsonl / <name>.json / <name>.txt from this directory
//                   (an optional <name>.meta.json gives {"exit_code": n, "stderr": "..."}), then exit
//   exit-1          write a message to stderr and exit 1
//   garbage         print non-JSON noise and a truncated JSON line, exit 0
//   die-mid-stream  print the start of success.*, then a partial line, then SIGKILL itself
//   hang            start a grandchild that ignores SIGTERM, print the first line of success.*, wait forever
// It never contacts any service. The same script is used by every adapter package, each with its own fixtures.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

// Adapter packages reuse this script through a small shim that points SASE_FAKE_FIXTURES at their own fixtures.
const here = process.env.SASE_FAKE_FIXTURES || dirname(fileURLToPath(import.meta.url));
const scenario = process.env.SASE_FAKE_SCENARIO || 'success';
const recordPath = process.env.SASE_FAKE_RECORD;

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const stdin = Buffer.concat(chunks).toString('utf8');

let grandchildPid;
if (scenario === 'hang') {
  const grandchild = spawn(
    process.execPath,
    ['-e', "process.on('SIGTERM', () => {}); setInterval(() => {}, 1000);"],
    { stdio: ['ignore', 'inherit', 'inherit'] },
  );
  grandchildPid = grandchild.pid;
}

if (recordPath) {
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => name.startsWith('SASE_')));
  const record = { argv: process.argv.slice(2), stdin, cwd: process.cwd(), env, pid: process.pid };
  if (grandchildPid !== undefined) record.grandchild_pid = grandchildPid;
  writeFileSync(`${recordPath}.tmp`, JSON.stringify(record));
  renameSync(`${recordPath}.tmp`, recordPath);
}

function recorded(name) {
  for (const extension of ['.jsonl', '.json', '.txt']) {
    const file = join(here, `${name}${extension}`);
    if (existsSync(file)) return readFileSync(file, 'utf8');
  }
  process.stderr.write(`fake agent: no recorded output named "${name}" in ${here}\n`);
  process.exit(2);
}

function write(stream, text) {
  return new Promise((resolve) => stream.write(text, () => resolve()));
}

/** Writes each line in two pieces, so that readers see lines split across chunks. */
async function replay(text) {
  for (const line of text.split(/(?<=\n)/)) {
    const middle = Math.floor(line.length / 2);
    await write(process.stdout, line.slice(0, middle));
    await write(process.stdout, line.slice(middle));
  }
}

switch (scenario) {
  case 'exit-1':
    await write(process.stderr, 'fake agent: simulated failure (exit 1)\n');
    process.exit(1);
    break;
  case 'garbage':
    await write(process.stdout, 'this is not JSON at all\n\u001b[31mcolour codes\u001b[0m\n{"type":"assis');
    process.exit(0);
    break;
  case 'die-mid-stream': {
    const lines = recorded('success').split('\n').filter((line) => line !== '');
    const half = Math.max(1, Math.floor(lines.length / 2));
    await replay(`${lines.slice(0, half).join('\n')}\n`);
    await write(process.stdout, (lines[half] ?? '{"type":"partial"}').slice(0, 12));
    process.kill(process.pid, 'SIGKILL');
    break;
  }
  case 'hang': {
    const first = recorded('success').split('\n')[0] ?? '';
    await write(process.stdout, `${first}\n`);
    setInterval(() => {}, 1000);
    break;
  }
  default: {
    await replay(recorded(scenario));
    const metaFile = join(here, `${scenario}.meta.json`);
    const meta = existsSync(metaFile) ? JSON.parse(readFileSync(metaFile, 'utf8')) : {};
    if (meta.stderr) await write(process.stderr, meta.stderr);
    process.exit(meta.exit_code ?? 0);
  }
}
