import { expect, it } from 'vitest';
import { compareIds, naturalSortKey } from './natural-sort.js';

it('orders ids naturally', () => {
  const ids = [
    'p-10',
    'p-2',
    'p-7.10',
    'p-7.2',
    'p-7',
    'q-1',
    'p-007',
    'p-1a',
    'p-1',
    'p-100.1.2',
    'p-100.1.10',
  ];
  expect([...ids].sort(compareIds)).toEqual([
    'p-1',
    'p-1a',
    'p-2',
    'p-007',
    'p-7',
    'p-7.2',
    'p-7.10',
    'p-10',
    'p-100.1.2',
    'p-100.1.10',
    'q-1',
  ]);
  expect(naturalSortKey('p-07')).toBe(naturalSortKey('p-7'));
  expect(naturalSortKey('abc')).toBe('abc');
});
