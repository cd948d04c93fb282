import type { Key } from 'ink';
import { describe, expect, it } from 'vitest';
import { keyPressesOf } from './app.js';

const none: Key = {
  upArrow: false,
  downArrow: false,
  leftArrow: false,
  rightArrow: false,
  pageDown: false,
  pageUp: false,
  home: false,
  end: false,
  return: false,
  escape: false,
  ctrl: false,
  shift: false,
  tab: false,
  backspace: false,
  delete: false,
  meta: false,
  super: false,
  hyper: false,
  capsLock: false,
  numLock: false,
};

describe('keyPressesOf', () => {
  it('maps ink keys, and splits text that arrived in one chunk into key presses', () => {
    expect(keyPressesOf('', { ...none, upArrow: true })).toEqual([{ name: 'up' }]);
    expect(keyPressesOf('\t', { ...none, tab: true, shift: true })).toEqual([{ name: 'backtab' }]);
    expect(keyPressesOf('R', { ...none, shift: true })).toEqual([{ name: 'char', char: 'R' }]);
    expect(keyPressesOf('u', { ...none, ctrl: true })).toEqual([{ name: 'clear-line' }]);
    expect(keyPressesOf('c', { ...none, ctrl: true })).toEqual([]);
    expect(keyPressesOf('/ab\r', none)).toEqual([
      { name: 'char', char: '/' },
      { name: 'char', char: 'a' },
      { name: 'char', char: 'b' },
      { name: 'enter' },
    ]);
    expect(keyPressesOf('x\x7f\x15', none)).toEqual([
      { name: 'char', char: 'x' },
      { name: 'backspace' },
      { name: 'clear-line' },
    ]);
  });
});
