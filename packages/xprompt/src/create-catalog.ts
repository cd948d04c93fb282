import type { Diagnostic } from './diagnostic.js';
import { isValidXPromptName, parseXPrompt, type XPrompt, type XPromptText } from './parse-xprompt.js';
import { XPromptError } from './xprompt-error.js';

/**
 * A set of xprompts by name. When several definitions share a name, the first one given (the highest
 * priority) wins and the others are shadowed. Files are parsed on first use, so looking up one xprompt in a
 * large catalog parses only that one.
 */
export interface XPromptCatalog {
  /** Number of distinct names. */
  readonly size: number;
  /** True when some definition has this name (cheap: nothing is parsed). */
  has(name: string): boolean;
  /** The winning definition of a name, parsed; undefined when none has it. */
  get(name: string): XPrompt | undefined;
  /** The winning definition of every name, sorted by name. */
  list(): XPrompt[];
  /** Every definition of a name, highest priority first: index 0 is the one used, the rest are shadowed. */
  definitions(name: string): XPrompt[];
  /** Sorted names. */
  names(): string[];
  /** Problems found while loading the catalog plus those of every winning xprompt (parses every xprompt). */
  diagnostics(): Diagnostic[];
}

export interface CreateCatalogOptions {
  /** Problems found before parsing (e.g. by `loadCatalog`: unreadable or misnamed files), reported by `diagnostics()`. */
  diagnostics?: Diagnostic[];
}

/**
 * Builds a catalog from xprompt texts given highest priority first (pure: no I/O). Throws
 * `XPROMPT_INVALID_NAME` for a name that is not a valid xprompt name.
 */
export function createCatalog(
  entries: Iterable<XPromptText>,
  options: CreateCatalogOptions = {},
): XPromptCatalog {
  const byName = new Map<string, XPromptText[]>();
  for (const entry of entries) {
    if (!isValidXPromptName(entry.name)) {
      throw new XPromptError(
        'XPROMPT_INVALID_NAME',
        `invalid xprompt name ${JSON.stringify(entry.name)}${entry.source ? ` (from ${entry.source})` : ''}: use parts of letters, digits, '_' and '-' separated by '/', like 'review' or 'bead/work_phase'`,
        { name: entry.name, file: entry.file },
      );
    }
    const list = byName.get(entry.name);
    if (list) list.push(entry);
    else byName.set(entry.name, [entry]);
  }
  const parsed = new Map<XPromptText, XPrompt>();
  const parse = (entry: XPromptText): XPrompt => {
    let xprompt = parsed.get(entry);
    if (!xprompt) {
      xprompt = parseXPrompt(entry);
      parsed.set(entry, xprompt);
    }
    return xprompt;
  };
  const loadDiagnostics = [...(options.diagnostics ?? [])];
  const sortedNames = () => [...byName.keys()].sort();

  return {
    get size() {
      return byName.size;
    },
    has: (name) => byName.has(name),
    get: (name) => {
      const first = byName.get(name)?.[0];
      return first ? parse(first) : undefined;
    },
    list: () => sortedNames().map((name) => parse(byName.get(name)![0]!)),
    definitions: (name) => (byName.get(name) ?? []).map(parse),
    names: sortedNames,
    diagnostics: () => [
      ...loadDiagnostics,
      ...sortedNames().flatMap((name) => parse(byName.get(name)![0]!).diagnostics),
    ],
  };
}
