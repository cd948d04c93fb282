import { nextChildId, nextPlanId, parentOf } from './internal/ids.js';
import { forEachJsonlRecord, stringifyJsonl } from './jsonl.js';
import { compareIds } from './natural-sort.js';
import { type BeadRecord, stringifyRecord } from './record.js';

/** What repairDuplicateIds did to one line. */
export interface DuplicateIdRepair {
  /** The line of the JSONL (1-based) that repeated an id. */
  line: number;
  id: string;
  /** The bead's new id; absent when the line was an exact copy of the first one and was dropped. */
  to?: string;
}

/**
 * Repairs ids defined on more than one line of an issues.jsonl — what a git merge without the
 * `sase bead merge` driver leaves when two checkouts created the same id and both lines were kept. The first
 * line keeps the id; a later exact copy is dropped; a later different bead moves to a fresh id (the next
 * `<prefix>-N`, or its parent's next `.N`). The k-th copies of an id are taken to belong together: when the
 * 2nd `p-7` moves to `p-9`, the 2nd `p-7.1` becomes `p-9.1`, and in those moved beads a parent or a
 * dependency that names `p-7` names `p-9`. Other references to a repeated id keep pointing at the first
 * line's bead. Throws like parseJsonl on any other problem. Returns canonical text.
 */
export function repairDuplicateIds(
  text: string,
  file = 'issues.jsonl',
): { text: string; repairs: DuplicateIdRepair[] } {
  const occurrences: { record: BeadRecord; line: number }[] = [];
  forEachJsonlRecord(Buffer.from(text), file, ({ record, line }) => occurrences.push({ record, line }), {
    checkDuplicateIds: false,
  });
  const taken = new Set(occurrences.map(({ record }) => record.id));
  const copies = new Map<string, { first: string; count: number }>();
  /** `id` → its moves by copy number (index 1 for the 2nd line, ...). */
  const moves = new Map<string, (string | undefined)[]>();
  const repairs: DuplicateIdRepair[] = [];
  const moved: { record: BeadRecord; copy: number; to: string }[] = [];
  const kept: BeadRecord[] = [];
  const moveOf = (other: string, copy: number) => moves.get(other)?.[copy];
  // First every move (parents before their phases: natural order; the copies of one id in file order)...
  const ordered = [...occurrences].sort((a, b) => compareIds(a.record.id, b.record.id) || a.line - b.line);
  for (const { record, line } of ordered) {
    const id = record.id;
    const seen = copies.get(id);
    if (seen === undefined) {
      copies.set(id, { first: stringifyRecord(record), count: 1 });
      kept.push(record);
      continue;
    }
    const copy = seen.count++;
    if (stringifyRecord(record) === seen.first) {
      repairs.push({ line, id });
      continue;
    }
    const parent = parentOf(id);
    const movedParent = parent === undefined ? undefined : moveOf(parent, copy);
    const to =
      movedParent !== undefined
        ? `${movedParent}${id.slice(parent!.length)}`
        : parent === undefined
          ? nextPlanId(id, taken)
          : nextChildId(parent, taken);
    taken.add(to);
    const idMoves = moves.get(id) ?? [];
    idMoves[copy] = to;
    moves.set(id, idMoves);
    moved.push({ record, copy, to });
    repairs.push({ line, id, to });
  }
  // ...then the moved beads, with what they name that moved with them (the same copy number).
  for (const { record, copy, to } of moved) {
    const renamed: BeadRecord = {
      ...record,
      id: to,
      dependencies: record.dependencies.map((dependency) => ({
        ...dependency,
        id: moveOf(dependency.id, copy) ?? dependency.id,
      })),
    };
    if (record.parent_id !== undefined)
      renamed.parent_id = moveOf(record.parent_id, copy) ?? record.parent_id;
    kept.push(renamed);
  }
  repairs.sort((a, b) => a.line - b.line);
  return { text: repairs.length === 0 ? text : stringifyJsonl(kept), repairs };
}
