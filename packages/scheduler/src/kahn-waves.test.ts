import { describe, expect, it } from 'vitest';
import { computeWaves } from './kahn-waves.js';
import { isSchedulerError } from './scheduler-error.js';

describe('computeWaves', () => {
  it('puts a diamond in three waves', () => {
    const result = computeWaves(
      [{ id: 'd' }, { id: 'c' }, { id: 'b' }, { id: 'a' }],
      [
        { from: 'b', to: 'a' },
        { from: 'c', to: 'a' },
        { from: 'd', to: 'b' },
        { from: 'd', to: 'c' },
      ],
    );
    expect(result.waves).toEqual([['a'], ['b', 'c'], ['d']]);
    expect(result.order).toEqual(['a', 'b', 'c', 'd']);
  });

  it('orders a wave by created_at, then id in natural order', () => {
    const { waves } = computeWaves(
      [
        { id: 'p-10', createdAt: '2026-01-01T00:00:00Z' },
        { id: 'p-2', createdAt: '2026-01-01T00:00:00Z' },
        { id: 'p-1', createdAt: '2026-02-01T00:00:00Z' },
        { id: 'p-7.10' },
        { id: 'p-7.2' },
      ],
      [],
    );
    expect(waves).toEqual([['p-7.2', 'p-7.10', 'p-2', 'p-10', 'p-1']]);
  });

  it('puts a node in the wave after its last blocker', () => {
    const { waves } = computeWaves(
      [{ id: 'a' }, { id: 'b' }, { id: 'c' }, { id: 'x' }],
      [
        { from: 'b', to: 'a' },
        { from: 'c', to: 'b' },
        { from: 'x', to: 'a' },
      ],
    );
    expect(waves).toEqual([['a'], ['b', 'x'], ['c']]);
  });

  it('names a cycle', () => {
    try {
      computeWaves(
        [{ id: 'a' }, { id: 'b' }, { id: 'c' }, { id: 'd' }],
        [
          { from: 'a', to: 'b' },
          { from: 'b', to: 'c' },
          { from: 'c', to: 'a' },
          { from: 'd', to: 'a' },
        ],
      );
      expect.unreachable();
    } catch (error) {
      expect(isSchedulerError(error, 'DEPENDENCY_CYCLE')).toBe(true);
      expect((error as { cycle: string[] }).cycle).toEqual(['a', 'b', 'c', 'a']);
      expect((error as Error).message).toContain('a -> b -> c -> a');
    }
  });

  it('treats a self-dependency as a cycle', () => {
    expect(() => computeWaves([{ id: 'a' }], [{ from: 'a', to: 'a' }])).toThrow(/a -> a/);
  });

  it('refuses unknown nodes unless asked to ignore them, and duplicate ids', () => {
    expect(() => computeWaves([{ id: 'a' }], [{ from: 'a', to: 'zz' }])).toThrow(/"zz"/);
    expect(computeWaves([{ id: 'a' }], [{ from: 'a', to: 'zz' }], { unknownNodes: 'ignore' }).waves).toEqual([
      ['a'],
    ]);
    expect(() => computeWaves([{ id: 'a' }, { id: 'a' }], [])).toThrow(/twice/);
  });

  it('handles an empty graph', () => {
    expect(computeWaves([], [])).toEqual({ waves: [], order: [] });
  });
});
