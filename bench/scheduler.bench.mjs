// Kahn waves over 10,000 nodes: budget 50 ms. Imports the built package (run `pnpm build` in packages/scheduler).
import { computeWaves } from '../packages/scheduler/dist/index.js';
import { finish, report, timeCall } from './lib.mjs';

const BUDGET_MS = 50;
const NODES = 10_000;

/** A deterministic random DAG: each node depends on up to 3 earlier nodes. */
function graph(count) {
  let seed = 42;
  const random = () => {
    seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
    return seed / 2 ** 31;
  };
  const start = Date.parse('2026-01-01T00:00:00Z');
  const nodes = [];
  const edges = [];
  for (let index = 0; index < count; index++) {
    nodes.push({
      id: `p-${index}`,
      createdAt: new Date(start + Math.floor(random() * 1000) * 60_000).toISOString(),
    });
    const blockers = index === 0 ? 0 : Math.floor(random() * 4);
    for (let edge = 0; edge < blockers; edge++) {
      edges.push({ from: `p-${index}`, to: `p-${Math.floor(random() * index)}` });
    }
  }
  return { nodes: nodes.reverse(), edges };
}

function measure(label, nodes, edges) {
  const { waves } = computeWaves(nodes, edges);
  const median = timeCall(() => computeWaves(nodes, edges), { runs: 15, warmup: 3 });
  report(
    `scheduler computeWaves ${label} (${nodes.length} nodes)`,
    median,
    BUDGET_MS,
    'ms',
    `${edges.length} edges, ${waves.length} waves`,
  );
}

const random = graph(NODES);
const chain = {
  nodes: Array.from({ length: NODES }, (_, index) => ({ id: `c-${index}` })),
  edges: Array.from({ length: NODES - 1 }, (_, index) => ({ from: `c-${index + 1}`, to: `c-${index}` })),
};
const wide = {
  nodes: Array.from({ length: NODES }, (_, index) => ({ id: `w-${NODES - index}` })),
  edges: [],
};

measure('random DAG', random.nodes, random.edges);
measure('one chain', chain.nodes, chain.edges);
measure('one wave', wide.nodes, wide.edges);
finish();
