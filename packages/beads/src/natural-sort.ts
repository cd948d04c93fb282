const CHUNK = /(\d+)|(\D+)/g;

/**
 * Compares bead ids in natural order: digit runs compare as numbers, so `p-2` < `p-10` and
 * `p-7.2` < `p-7.10`. Total and deterministic (falls back to plain string order).
 */
export function compareIds(a: string, b: string): number {
  const keyA = naturalSortKey(a);
  const keyB = naturalSortKey(b);
  if (keyA < keyB) return -1;
  if (keyA > keyB) return 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * A string whose plain (byte-wise) order is the natural order of ids: every digit run is left-padded to a
 * fixed width. Used as an indexed SQLite column so that `ORDER BY sort_key` needs no custom collation.
 */
export function naturalSortKey(id: string): string {
  return id.replace(CHUNK, (_match, digits: string | undefined, other: string | undefined) => {
    if (digits === undefined) return other ?? '';
    const trimmed = digits.replace(/^0+(?=\d)/, '');
    // Width prefix keeps any length of number ordered: "9" < "10" because width 1 < width 2.
    return `\u0001${String.fromCharCode(0x30 + Math.min(trimmed.length, 60))}${trimmed}`;
  });
}
