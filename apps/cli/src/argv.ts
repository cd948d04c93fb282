/**
 * Where the command is in a `sase` argument list: the index of the first argument that is not an option (the
 * value of `-C DIR` is skipped), from `start` on, or -1. No imports: bin.ts routes with it before loading
 * anything.
 */
export function commandIndex(argv: readonly string[], start = 0): number {
  for (let index = start; index < argv.length; index++) {
    const arg = argv[index]!;
    if (arg === '-C' || arg === '--cwd') index++;
    else if (!arg.startsWith('-')) return index;
  }
  return -1;
}
