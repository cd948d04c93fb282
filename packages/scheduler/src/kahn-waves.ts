import { compareNaturalKeys, type NaturalKey, naturalKey } from './internal/natural-compare.js';
import { SchedulerError } from './scheduler-error.js';

/** A node of the graph: an id, and optionally when it was created (the first tie-breaker). */
export interface WaveNode {
  id: string;
  /** ISO-8601 string, Date or epoch milliseconds. Nodes without one sort before nodes with one. */
  createdAt?: string | Date | number;
}

/** `from` depends on `to` (`to` blocks `from`): `to` is scheduled in an earlier wave. */
export interface WaveEdge {
  from: string;
  to: string;
}

export interface ComputeWavesOptions {
  /**
   * What an edge naming a node that is not in `nodes` means. `error` (the default) throws UNKNOWN_NODE;
   * `ignore` drops the edge (for callers that pass only the open part of a graph, whose closed blockers no
   * longer block).
   */
  unknownNodes?: 'error' | 'ignore';
}

export interface Waves {
  /** Wave 0 holds every node with no blocker; wave k+1 every node whose blockers are all in waves <= k. */
  waves: string[][];
  /** The waves flattened: a valid execution order. */
  order: string[];
}

function timeOf(createdAt: WaveNode['createdAt']): number {
  if (createdAt === undefined) return Number.NEGATIVE_INFINITY;
  const time =
    createdAt instanceof Date
      ? createdAt.getTime()
      : typeof createdAt === 'number'
        ? createdAt
        : Date.parse(createdAt);
  return Number.isNaN(time) ? Number.NEGATIVE_INFINITY : time;
}

/**
 * Kahn's algorithm in waves. Within a wave, nodes are ordered by (createdAt, id in natural order, id), so
 * the result is deterministic. A cycle throws a SchedulerError `DEPENDENCY_CYCLE` whose `cycle` names it.
 * Runs in O(V log V + E).
 */
export function computeWaves(
  nodes: readonly WaveNode[],
  edges: readonly WaveEdge[],
  options: ComputeWavesOptions = {},
): Waves {
  const count = nodes.length;
  const indexOf = new Map<string, number>();
  const ids: string[] = new Array(count);
  const times = new Float64Array(count);
  const keys: NaturalKey[] = new Array(count);
  for (let index = 0; index < count; index++) {
    const node = nodes[index] as WaveNode;
    if (indexOf.has(node.id)) {
      throw new SchedulerError('DUPLICATE_NODE', `node "${node.id}" appears twice; node ids must be unique`);
    }
    indexOf.set(node.id, index);
    ids[index] = node.id;
    times[index] = timeOf(node.createdAt);
    keys[index] = naturalKey(node.id);
  }

  const blockerCount = new Int32Array(count);
  const dependents: number[][] = Array.from({ length: count }, () => []);
  const blockers: number[][] = Array.from({ length: count }, () => []);
  for (const edge of edges) {
    const from = indexOf.get(edge.from);
    const to = indexOf.get(edge.to);
    if (from === undefined || to === undefined) {
      if (options.unknownNodes === 'ignore') continue;
      const missing = from === undefined ? edge.from : edge.to;
      throw new SchedulerError(
        'UNKNOWN_NODE',
        `edge ${edge.from} -> ${edge.to} names "${missing}", which is not a node; every edge must join two ` +
          'given nodes (or pass unknownNodes: "ignore")',
      );
    }
    (dependents[to] as number[]).push(from);
    (blockers[from] as number[]).push(to);
    blockerCount[from] = (blockerCount[from] as number) + 1;
  }

  const compare = (left: number, right: number): number => {
    const time = (times[left] as number) - (times[right] as number);
    if (time !== 0 && !Number.isNaN(time)) return time < 0 ? -1 : 1;
    const natural = compareNaturalKeys(keys[left] as NaturalKey, keys[right] as NaturalKey);
    if (natural !== 0) return natural;
    const a = ids[left] as string;
    const b = ids[right] as string;
    return a < b ? -1 : a > b ? 1 : 0;
  };

  const waves: string[][] = [];
  const order: string[] = [];
  let current: number[] = [];
  for (let index = 0; index < count; index++) if (blockerCount[index] === 0) current.push(index);
  let scheduled = 0;
  while (current.length > 0) {
    current.sort(compare);
    const wave: string[] = new Array(current.length);
    const next: number[] = [];
    for (let position = 0; position < current.length; position++) {
      const index = current[position] as number;
      wave[position] = ids[index] as string;
      for (const dependent of dependents[index] as number[]) {
        const left = (blockerCount[dependent] as number) - 1;
        blockerCount[dependent] = left;
        if (left === 0) next.push(dependent);
      }
    }
    scheduled += current.length;
    waves.push(wave);
    for (const id of wave) order.push(id);
    current = next;
  }

  if (scheduled < count) {
    const cycle = findCycle(count, blockerCount, blockers, compare).map((index) => ids[index] as string);
    throw new SchedulerError(
      'DEPENDENCY_CYCLE',
      `dependency cycle: ${cycle.join(' -> ')}; remove one of these dependencies so the graph has no cycle`,
      { cycle },
    );
  }
  return { waves, order };
}

/** Every unscheduled node has an unscheduled blocker, so following blockers must revisit a node. */
function findCycle(
  count: number,
  blockerCount: Int32Array,
  blockers: number[][],
  compare: (left: number, right: number) => number,
): number[] {
  const remaining: number[] = [];
  for (let index = 0; index < count; index++) if ((blockerCount[index] as number) > 0) remaining.push(index);
  remaining.sort(compare);
  const position = new Map<number, number>();
  const path: number[] = [];
  let node = remaining[0] as number;
  while (!position.has(node)) {
    position.set(node, path.length);
    path.push(node);
    const candidates = (blockers[node] as number[]).filter(
      (blocker) => (blockerCount[blocker] as number) > 0,
    );
    candidates.sort(compare);
    node = candidates[0] as number;
  }
  const cycle = path.slice(position.get(node));
  cycle.push(node);
  return cycle;
}
