/**
 * Natural order: digit runs compare as numbers, so `p-2` < `p-10` and `p-7.2` < `p-7.10`. Keys are
 * tokenised once (`naturalKey`) so that sorting large sets stays fast.
 */
export type NaturalKey = (string | number)[];

export function naturalKey(text: string): NaturalKey {
  const key: NaturalKey = [];
  const pattern = /(\d+)|(\D+)/g;
  for (let match = pattern.exec(text); match !== null; match = pattern.exec(text)) {
    key.push(match[1] !== undefined ? Number(match[1]) : (match[2] as string));
  }
  return key;
}

export function compareNaturalKeys(left: NaturalKey, right: NaturalKey): number {
  const length = Math.min(left.length, right.length);
  for (let index = 0; index < length; index++) {
    const a = left[index] as string | number;
    const b = right[index] as string | number;
    if (a === b) continue;
    if (typeof a === 'number' && typeof b === 'number') return a - b;
    if (typeof a === 'number') return -1;
    if (typeof b === 'number') return 1;
    return a < b ? -1 : 1;
  }
  return left.length - right.length;
}

export function naturalCompare(left: string, right: string): number {
  if (left === right) return 0;
  const order = compareNaturalKeys(naturalKey(left), naturalKey(right));
  return order !== 0 ? order : left < right ? -1 : left > right ? 1 : 0;
}
