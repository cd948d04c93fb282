import type { Bead } from './record.js';

export type GraphFormat = 'mermaid' | 'dot';

export const GRAPH_FORMATS: readonly GraphFormat[] = ['mermaid', 'dot'];

/**
 * Draws beads and their dependencies as a Mermaid flowchart or a Graphviz DOT digraph. Arrows point the
 * way work flows: a dependency edge runs from the dependency to the bead that waits for it (solid for
 * `blocks`, dashed for `related`), and a thick grey arrow runs from a plan bead to each of its children in
 * the set (an epic to its phases, a legend to its epics). The text says so in a comment at the top.
 * Dependencies on beads outside the set are drawn as plain nodes, so the picture says what it waits on.
 * Status is shown by style: closed beads are grey, in-progress ones amber.
 */
export function renderDependencyGraph(beads: readonly Bead[], format: GraphFormat): string {
  const included = new Map(beads.map((bead) => [bead.id, bead]));
  const external = new Set<string>();
  for (const bead of beads)
    for (const dependency of bead.dependencies) if (!included.has(dependency.id)) external.add(dependency.id);
  const edges: Edge[] = beads.flatMap((bead) => [
    ...(bead.parentId !== undefined && included.has(bead.parentId)
      ? [{ from: bead.parentId, to: bead.id, type: 'parent' as const }]
      : []),
    ...bead.dependencies.map((dependency) => ({ from: dependency.id, to: bead.id, type: dependency.type })),
  ]);
  return format === 'mermaid' ? mermaid(beads, external, edges) : dot(beads, external, edges);
}

type Edge = { from: string; to: string; type: 'blocks' | 'related' | 'parent' };

/** How to read the arrows: the first lines of the graph, as a comment. */
const MERMAID_LEGEND = [
  '%% Arrows point the way work flows: A --> B means B waits for A (blocks), A -.-> B that B is related',
  '%% to A, and a thick grey A ==> B that B is a phase of A (or an epic of the legend A).',
];
const DOT_LEGEND = [
  '// Arrows point the way work flows: A -> B means B waits for A (blocks; dashed: related), and a bold',
  '// grey A -> B that B is a phase of A (or an epic of the legend A).',
];

function nodeName(id: string): string {
  return `n_${id.replace(/[^A-Za-z0-9_]/g, '_')}`;
}

function mermaid(beads: readonly Bead[], external: Set<string>, edges: Edge[]): string {
  const escapeText = (text: string) => text.replace(/"/g, '#quot;');
  const lines = ['flowchart TD', ...MERMAID_LEGEND.map((line) => `  ${line}`)];
  for (const bead of beads)
    lines.push(`  ${nodeName(bead.id)}["${escapeText(`${bead.id}: ${bead.title}`)}"]:::${bead.status}`);
  for (const id of external) lines.push(`  ${nodeName(id)}(["${escapeText(id)}"]):::external`);
  const arrows = { blocks: '-->', related: '-.->', parent: '==>' };
  for (const edge of edges) lines.push(`  ${nodeName(edge.from)} ${arrows[edge.type]} ${nodeName(edge.to)}`);
  // linkStyle counts links in the order they are drawn.
  const parents = edges.flatMap((edge, index) => (edge.type === 'parent' ? [index] : []));
  if (parents.length > 0) lines.push(`  linkStyle ${parents.join(',')} stroke:#9ca3af`);
  lines.push(
    '  classDef closed fill:#e5e7eb,stroke:#9ca3af,color:#6b7280',
    '  classDef in_progress fill:#fef3c7,stroke:#d97706',
    '  classDef open fill:#ffffff,stroke:#2563eb',
    '  classDef external fill:#ffffff,stroke:#9ca3af,stroke-dasharray:3 3',
  );
  return `${lines.join('\n')}\n`;
}

function dot(beads: readonly Bead[], external: Set<string>, edges: Edge[]): string {
  const escapeText = (text: string) => text.replace(/\\/g, '\\\\').replace(/"/g, '\\"');
  const quote = (text: string) => `"${escapeText(text)}"`;
  const style: Record<string, string> = {
    closed: 'style=filled, fillcolor="#e5e7eb", fontcolor="#6b7280"',
    in_progress: 'style=filled, fillcolor="#fef3c7"',
    open: 'color="#2563eb"',
  };
  const lines = [
    'digraph beads {',
    ...DOT_LEGEND.map((line) => `  ${line}`),
    '  rankdir=TB;',
    '  node [shape=box, fontname="Helvetica"];',
  ];
  for (const bead of beads)
    lines.push(
      `  ${quote(bead.id)} [label="${escapeText(bead.id)}\\n${escapeText(bead.title)}", ${style[bead.status]}];`,
    );
  for (const id of external) lines.push(`  ${quote(id)} [shape=ellipse, style=dashed];`);
  const attributes = { blocks: '', related: ' [style=dashed]', parent: ' [style=bold, color="#9ca3af"]' };
  for (const edge of edges) lines.push(`  ${quote(edge.from)} -> ${quote(edge.to)}${attributes[edge.type]};`);
  lines.push('}');
  return `${lines.join('\n')}\n`;
}
