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
 * A string whose plain (byte-wise) order is the natural order of ids: every digit run is prefixed by a
 * control character and its length, so `9` < `10` and `p-7.2` < `p-7.10`. Used as an indexed SQLite column
 * so that `ORDER BY sort_key` needs no custom collation. (A hand-written loop: it runs once per bead when the
 * cache is rebuilt.)
 */
export function naturalSortKey(id: string): string {
  let key = '';
  let index = 0;
  const length = id.length;
  while (index < length) {
    const code = id.charCodeAt(index);
    if (code < 48 || code > 57) {
      let end = index + 1;
      while (end < length && (id.charCodeAt(end) < 48 || id.charCodeAt(end) > 57)) end++;
      key += id.slice(index, end);
      index = end;
      continue;
    }
    let start = index;
    while (start < length - 1 && id.charCodeAt(start) === 48 && isDigit(id.charCodeAt(start + 1))) start++;
    let end = start;
    while (end < length && isDigit(id.charCodeAt(end))) end++;
    key += `\u0001${String.fromCharCode(0x30 + Math.min(end - start, 60))}${id.slice(start, end)}`;
    index = end;
  }
  return key;
}

function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}
