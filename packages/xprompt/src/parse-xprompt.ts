import type { Node as YamlNode } from 'yaml';
import type { Diagnostic } from './diagnostic.js';
import { coerceArgument, INPUT_TYPES, type InputType, toInputType } from './internal/input-types.js';
import { LineIndex, normalizeNewlines } from './internal/line-index.js';
import { loadYaml } from './internal/yaml.js';

export type { InputType as XPromptInputType } from './internal/input-types.js';

/** Where an xprompt came from, highest priority first: the workspace, the user's home, a package. */
export type XPromptOrigin = 'workspace' | 'home' | 'builtin' | 'inline';

/** The raw text of one xprompt and where it came from: what a catalog is made of. */
export interface XPromptText {
  /** The xprompt name: its path below a catalog directory without `.md` (`review`, `bead/work_phase`). */
  name: string;
  /** The whole file: optional YAML frontmatter, then the Markdown body. */
  text: string;
  /** Defaults to `inline`. */
  origin?: XPromptOrigin;
  /** Where it came from, for people: `.xprompts/review.md`, `~/.xprompts/review.md`, `builtin:@sase/cli`. */
  source?: string;
  /** The absolute path of the file, when it is one; diagnostics name it. */
  file?: string;
}

/** One declared input of an xprompt (frontmatter `input:`). */
export interface XPromptInput {
  name: string;
  type: InputType;
  /** The default, typed (`int`/`float` give numbers, `bool` a boolean); undefined when the input is required. */
  default?: string | number | boolean;
  isRequired: boolean;
  description?: string;
}

/** A parsed xprompt. */
export interface XPrompt {
  name: string;
  description: string | undefined;
  inputs: XPromptInput[];
  tags: string[];
  /** The body template: everything after the frontmatter, with `{{ name }}` placeholders. */
  body: string;
  /** The 1-based line of the file on which the body starts. */
  bodyStartLine: number;
  /** Offset of the body in `text`. */
  bodyOffset: number;
  origin: XPromptOrigin;
  source: string;
  file: string | undefined;
  /** The whole (newline-normalized) text. */
  text: string;
  /** Problems found while parsing; a fatal one makes every reference to this xprompt an error. */
  diagnostics: Diagnostic[];
}

const NAME_PATTERN = /^[A-Za-z_](?:[\w-]*\w)?(?:\/[A-Za-z_](?:[\w-]*\w)?)*$/;
const INPUT_NAME_PATTERN = /^[A-Za-z_]\w*$/;
const FRONTMATTER_KEYS = new Set(['description', 'input', 'tags']);
const INPUT_KEYS = new Set(['name', 'type', 'default', 'description']);

/**
 * True for a valid xprompt name: one or more `/`-separated parts, each a letter or `_` followed by letters,
 * digits, `_` or `-` (not ending in `-`). `review`, `bead/work_phase`, `pr-summary`.
 */
export function isValidXPromptName(name: string): boolean {
  return NAME_PATTERN.test(name);
}

/** Display name of an xprompt's location for diagnostics: its file path, else its source. */
export function xpromptLocation(xprompt: Pick<XPrompt, 'file' | 'source'>): string {
  return xprompt.file ?? xprompt.source;
}

/**
 * Parses one xprompt file (pure: no I/O). Problems become `diagnostics` on the result instead of throwing:
 * invalid YAML, an unknown input type, a default that does not match its type, a duplicate input. The
 * `yaml` package is loaded only when the text has frontmatter.
 */
export function parseXPrompt(input: XPromptText): XPrompt {
  const text = normalizeNewlines(input.text);
  const origin = input.origin ?? 'inline';
  const source = input.source ?? (origin === 'builtin' ? 'builtin' : `inline:${input.name}`);
  const location = input.file ?? source;
  const diagnostics: Diagnostic[] = [];
  const xprompt: XPrompt = {
    name: input.name,
    description: undefined,
    inputs: [],
    tags: [],
    body: text,
    bodyStartLine: 1,
    bodyOffset: 0,
    origin,
    source,
    file: input.file,
    text,
    diagnostics,
  };

  const opening = /^---[ \t]*\n/.exec(text);
  if (opening) {
    const closing = /^(?:---|\.\.\.)[ \t]*$/m;
    const rest = text.slice(opening[0].length);
    const close = closing.exec(rest);
    if (!close) {
      diagnostics.push({
        reason: `frontmatter opened on line 1 is never closed: end it with a line '---' before the body`,
        file: location,
        line: 1,
        column: 1,
        ruleId: 'unclosed-frontmatter',
        fatal: true,
      });
    } else {
      const frontmatter = rest.slice(0, close.index);
      const bodyOffset = Math.min(text.length, opening[0].length + close.index + close[0].length + 1);
      xprompt.body = text.slice(bodyOffset);
      xprompt.bodyOffset = bodyOffset;
      xprompt.bodyStartLine = text.slice(0, bodyOffset).split('\n').length;
      parseFrontmatter(frontmatter, xprompt, location);
    }
  }
  checkPlaceholders(xprompt, location);
  return xprompt;
}

function parseFrontmatter(frontmatter: string, xprompt: XPrompt, location: string): void {
  const yaml = loadYaml();
  const lines = new LineIndex(frontmatter);
  // Frontmatter content starts on line 2 of the file.
  const at = (node: YamlNode | null | undefined) => {
    const offset = node?.range?.[0] ?? 0;
    const position = lines.position(offset);
    return { line: position.line + 1, column: position.column };
  };
  const report = (reason: string, node: YamlNode | null | undefined, ruleId: string, fatal = true) => {
    xprompt.diagnostics.push({ reason, file: location, ...at(node), ruleId, fatal });
  };

  const document = yaml.parseDocument(frontmatter, { prettyErrors: true, uniqueKeys: true });
  if (document.errors.length > 0) {
    for (const error of document.errors) {
      const position = error.linePos?.[0] ?? { line: 1, col: 1 };
      xprompt.diagnostics.push({
        reason: `invalid YAML frontmatter: ${error.message.split('\n')[0]}`,
        file: location,
        line: position.line + 1,
        column: position.col,
        ruleId: 'invalid-frontmatter',
        fatal: true,
      });
    }
    return;
  }
  const contents = document.contents;
  if (contents === null || (yaml.isScalar(contents) && contents.value === null)) return;
  if (!yaml.isMap(contents)) {
    report(
      'frontmatter must be a YAML mapping (description:, input:, tags:)',
      contents,
      'invalid-frontmatter',
    );
    return;
  }
  for (const pair of contents.items) {
    const key = yaml.isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
    const keyNode = pair.key as YamlNode;
    const value = pair.value as YamlNode | null;
    if (!FRONTMATTER_KEYS.has(key)) {
      report(
        `unknown frontmatter key '${key}' is ignored (known keys: description, input, tags)`,
        keyNode,
        'unknown-frontmatter-key',
        false,
      );
      continue;
    }
    const plain = value === null ? null : value.toJSON();
    if (key === 'description') {
      if (plain === null) continue;
      if (typeof plain !== 'string') report('description must be a string', value, 'invalid-frontmatter');
      else xprompt.description = plain.trim();
    } else if (key === 'tags') {
      if (plain === null) continue;
      if (typeof plain === 'string')
        xprompt.tags = plain
          .split(',')
          .map((tag) => tag.trim())
          .filter(Boolean);
      else if (Array.isArray(plain) && plain.every((tag) => typeof tag === 'string')) xprompt.tags = plain;
      else report('tags must be a list of strings or a comma-separated string', value, 'invalid-frontmatter');
    } else {
      parseInputs(value, xprompt, report);
    }
  }
}

type Report = (reason: string, node: YamlNode | null | undefined, ruleId: string, fatal?: boolean) => void;

function parseInputs(value: YamlNode | null, xprompt: XPrompt, report: Report): void {
  const yaml = loadYaml();
  if (value === null || (yaml.isScalar(value) && value.value === null)) return;
  const declared: Array<{ node: YamlNode; name: unknown; spec: YamlNode | null; isShortForm: boolean }> = [];
  if (yaml.isSeq(value)) {
    for (const item of value.items as YamlNode[]) {
      if (yaml.isScalar(item))
        declared.push({ node: item, name: item.value, spec: null, isShortForm: false });
      else if (yaml.isMap(item))
        declared.push({ node: item, name: item.get('name'), spec: item, isShortForm: false });
      else report('each input must be a mapping like {name: file, type: path}', item, 'invalid-input');
    }
  } else if (yaml.isMap(value)) {
    for (const pair of value.items) {
      const keyNode = pair.key as YamlNode;
      const name = yaml.isScalar(keyNode) ? keyNode.value : undefined;
      declared.push({
        node: keyNode,
        name,
        spec: (pair.value as YamlNode | null) ?? null,
        isShortForm: true,
      });
    }
  } else {
    report(
      'input must be a list like [{name: file, type: path, default: README.md}]',
      value,
      'invalid-input',
    );
    return;
  }

  const seen = new Set<string>();
  for (const entry of declared) {
    if (typeof entry.name !== 'string' || !INPUT_NAME_PATTERN.test(entry.name)) {
      report(
        `input name ${JSON.stringify(entry.name ?? null)} is not valid: use letters, digits and '_' (like file_path)`,
        entry.node,
        'invalid-input',
      );
      continue;
    }
    if (seen.has(entry.name)) {
      report(`input '${entry.name}' is declared twice`, entry.node, 'invalid-input');
      continue;
    }
    seen.add(entry.name);
    const parsed: XPromptInput = { name: entry.name, type: 'line', isRequired: true };
    let typeNode: YamlNode | null = entry.spec;
    let typeValue: unknown;
    let hasDefault = false;
    let defaultValue: unknown;
    let defaultNode: YamlNode | null = null;
    const spec = entry.spec;
    if (spec && yaml.isScalar(spec) && entry.isShortForm) {
      typeValue = spec.value;
    } else if (spec && yaml.isMap(spec)) {
      for (const pair of spec.items) {
        const key = yaml.isScalar(pair.key) ? String(pair.key.value) : '';
        if (!INPUT_KEYS.has(key) || (key === 'name' && entry.isShortForm)) {
          report(
            `unknown key '${key}' in input '${entry.name}' (known: name, type, default, description)`,
            pair.key as YamlNode,
            'invalid-input',
            false,
          );
        }
      }
      typeNode = (spec.get('type', true) as YamlNode | undefined) ?? spec;
      typeValue = spec.get('type');
      if (spec.has('default')) {
        hasDefault = true;
        defaultNode = (spec.get('default', true) as YamlNode | undefined) ?? spec;
        defaultValue = spec.get('default');
      }
      const description = spec.get('description');
      if (typeof description === 'string') parsed.description = description.trim();
    } else if (spec && !(yaml.isScalar(spec) && spec.value === null)) {
      report(
        `input '${entry.name}' must be a type name or a mapping {type, default, description}`,
        spec,
        'invalid-input',
      );
      continue;
    }
    if (typeValue !== undefined && typeValue !== null) {
      const type = typeof typeValue === 'string' ? toInputType(typeValue) : undefined;
      if (!type) {
        report(
          `input '${entry.name}' has unknown type ${JSON.stringify(typeValue)}: use one of ${INPUT_TYPES.join(', ')}`,
          typeNode,
          'invalid-input',
        );
        parsed.type = 'text';
        xprompt.inputs.push(parsed);
        continue;
      }
      parsed.type = type;
    }
    if (hasDefault) {
      const raw = defaultValue === null || defaultValue === undefined ? '' : String(defaultValue);
      const coerced = coerceArgument(raw, parsed.type);
      if (!coerced.isValid) {
        report(
          `default of input '${entry.name}' must be ${coerced.expected}, got ${JSON.stringify(defaultValue)}`,
          defaultNode,
          'invalid-input',
        );
        xprompt.inputs.push(parsed);
        continue;
      }
      parsed.default = coerced.value;
      parsed.isRequired = false;
    }
    xprompt.inputs.push(parsed);
  }
}

const PLACEHOLDER = /\{\{\s*([A-Za-z_]\w*)\s*\}\}/g;

function checkPlaceholders(xprompt: XPrompt, location: string): void {
  if (!xprompt.body.includes('{{')) return;
  const names = new Set(xprompt.inputs.map((input) => input.name));
  const lines = new LineIndex(xprompt.text);
  for (const match of xprompt.body.matchAll(PLACEHOLDER)) {
    const name = match[1]!;
    if (names.has(name)) continue;
    const position = lines.position(xprompt.bodyOffset + match.index);
    xprompt.diagnostics.push({
      reason: `placeholder '{{ ${name} }}' names no declared input and is left as written (declare it under input:)`,
      file: location,
      ...position,
      ruleId: 'unknown-placeholder',
      fatal: false,
    });
  }
}
