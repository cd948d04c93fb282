// Fresh ids for beads that must move (an id collision): shared by the merge driver and doctor's repair.

/** `p-7.2` → `p-7`; `p-7` → undefined. */
export function parentOf(id: string): string | undefined {
  const dot = id.lastIndexOf('.');
  return dot === -1 ? undefined : id.slice(0, dot);
}

/** The next `<prefix>-N` after every such id in use (`id` is `<prefix>-<something>`). */
export function nextPlanId(id: string, taken: Set<string>): string {
  const dash = id.lastIndexOf('-');
  const head = dash === -1 ? `${id}-` : id.slice(0, dash + 1);
  let highest = 0;
  for (const other of taken) {
    if (!other.startsWith(head)) continue;
    const rest = other.slice(head.length).split('.')[0]!;
    if (/^\d+$/.test(rest)) highest = Math.max(highest, Number(rest));
  }
  return `${head}${highest + 1}`;
}

/** The next `<parent>.N` after every child of `parent` in use. */
export function nextChildId(parent: string, taken: Set<string>): string {
  let highest = 0;
  for (const other of taken) {
    if (!other.startsWith(`${parent}.`)) continue;
    const rest = other.slice(parent.length + 1).split('.')[0]!;
    if (/^\d+$/.test(rest)) highest = Math.max(highest, Number(rest));
  }
  return `${parent}.${highest + 1}`;
}
