import { describe, expect, it } from 'vitest';
import { renderDependencyGraph } from './graph.js';
import { createTempStore, steppingClock } from './internal/temp-store.js';

describe('renderDependencyGraph', () => {
  const { store } = createTempStore('g', steppingClock());
  const epic = store.create({ title: 'Epic "quoted"', tier: 'epic' });
  const a = store.create({ title: 'A', parentId: epic.id });
  const b = store.create({ title: 'B', parentId: epic.id, dependencies: [a.id] });
  const other = store.create({ title: 'Elsewhere' });
  store.addDependency(b.id, other.id, 'related');
  store.close(a.id);
  const beads = store.list({ parentId: epic.id });

  it('draws mermaid, with the epic linked to its phases and a legend of the arrows', () => {
    const graph = renderDependencyGraph(
      [epic, ...beads].map((bead) => store.get(bead.id)),
      'mermaid',
    );
    expect(graph).toMatchInlineSnapshot(`
      "flowchart TD
        %% Arrows point the way work flows: A --> B means B waits for A (blocks), A -.-> B that B is related
        %% to A, and a thick grey A ==> B that B is a phase of A (or an epic of the legend A).
        n_g_1["g-1: Epic #quot;quoted#quot;"]:::open
        n_g_1_1["g-1.1: A"]:::closed
        n_g_1_2["g-1.2: B"]:::open
        n_g_2(["g-2"]):::external
        n_g_1 ==> n_g_1_1
        n_g_1 ==> n_g_1_2
        n_g_1_1 --> n_g_1_2
        n_g_2 -.-> n_g_1_2
        linkStyle 0,1 stroke:#9ca3af
        classDef closed fill:#e5e7eb,stroke:#9ca3af,color:#6b7280
        classDef in_progress fill:#fef3c7,stroke:#d97706
        classDef open fill:#ffffff,stroke:#2563eb
        classDef external fill:#ffffff,stroke:#9ca3af,stroke-dasharray:3 3
      "
    `);
  });

  it('draws dot, with the epic linked to its phases and a legend of the arrows', () => {
    expect(
      renderDependencyGraph(
        [epic, ...beads].map((bead) => store.get(bead.id)),
        'dot',
      ),
    ).toMatchInlineSnapshot(`
      "digraph beads {
        // Arrows point the way work flows: A -> B means B waits for A (blocks; dashed: related), and a bold
        // grey A -> B that B is a phase of A (or an epic of the legend A).
        rankdir=TB;
        node [shape=box, fontname="Helvetica"];
        "g-1" [label="g-1\\nEpic \\"quoted\\"", color="#2563eb"];
        "g-1.1" [label="g-1.1\\nA", style=filled, fillcolor="#e5e7eb", fontcolor="#6b7280"];
        "g-1.2" [label="g-1.2\\nB", color="#2563eb"];
        "g-2" [shape=ellipse, style=dashed];
        "g-1" -> "g-1.1" [style=bold, color="#9ca3af"];
        "g-1" -> "g-1.2" [style=bold, color="#9ca3af"];
        "g-1.1" -> "g-1.2";
        "g-2" -> "g-1.2" [style=dashed];
      }
      "
    `);
  });
});
