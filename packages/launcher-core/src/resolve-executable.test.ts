import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LauncherError } from './launcher-error.js';
import { locateExecutable, resolveExecutable } from './resolve-executable.js';

let root = '';
let binA = '';
let binB = '';

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'sase-resolve-'));
  binA = join(root, 'a');
  binB = join(root, 'b');
  mkdirSync(binA);
  mkdirSync(binB);
  writeFileSync(join(binA, 'tool'), '#!/bin/sh\n');
  chmodSync(join(binA, 'tool'), 0o644); // not executable: skipped
  writeFileSync(join(binB, 'tool'), '#!/bin/sh\n');
  chmodSync(join(binB, 'tool'), 0o755);
  writeFileSync(join(binB, 'wrapper'), '#!/bin/sh\n');
  chmodSync(join(binB, 'wrapper'), 0o755);
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('resolveExecutable', () => {
  it('searches PATH in order and skips files that are not executable', () => {
    expect(resolveExecutable('tool', 'TOOL_BIN', { PATH: [binA, binB].join(delimiter) })).toBe(
      join(binB, 'tool'),
    );
  });

  it('honours the override variable: a path, or a name searched on PATH', () => {
    const path = join(binB, 'wrapper');
    expect(resolveExecutable('tool', 'TOOL_BIN', { PATH: '', TOOL_BIN: path })).toBe(path);
    expect(resolveExecutable('tool', 'TOOL_BIN', { PATH: binB, TOOL_BIN: 'wrapper' })).toBe(path);
    expect(resolveExecutable('tool', 'TOOL_BIN', { PATH: binB, TOOL_BIN: '' })).toBe(join(binB, 'tool'));
  });

  it('names the override variable when nothing is found on PATH', () => {
    const error = (() => {
      try {
        resolveExecutable('tool', 'TOOL_BIN', { PATH: binA });
      } catch (caught) {
        return caught as LauncherError;
      }
    })();
    expect(error).toBeInstanceOf(LauncherError);
    expect(error?.code).toBe('EXECUTABLE_NOT_FOUND');
    expect(error?.overrideVariable).toBe('TOOL_BIN');
    expect(error?.message).toMatchInlineSnapshot(
      `""tool" was not found on PATH. Install it, or set TOOL_BIN to the path of the executable (e.g. TOOL_BIN=/usr/local/bin/tool)."`,
    );
  });

  it('names the override variable and its value when the override points nowhere', () => {
    expect(() => resolveExecutable('tool', 'TOOL_BIN', { PATH: binB, TOOL_BIN: '/nowhere/tool' })).toThrow(
      'TOOL_BIN is set to "/nowhere/tool", which is not an executable file. Set TOOL_BIN to the path of an executable',
    );
  });
});

describe('locateExecutable', () => {
  it('reports without throwing', () => {
    expect(locateExecutable('tool', 'TOOL_BIN', { PATH: binB })).toEqual({
      executable: 'tool',
      found: true,
      path: join(binB, 'tool'),
      overrideVariable: 'TOOL_BIN',
      isOverridden: false,
    });
    expect(locateExecutable('missing', undefined, { PATH: binB })).toEqual({
      executable: 'missing',
      found: false,
    });
  });
});
