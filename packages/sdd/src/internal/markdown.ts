import { remark } from 'remark';
import remarkFrontmatter from 'remark-frontmatter';
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node as YamlNode } from 'yaml';
import type { Diagnostic } from '../diagnostic.js';

/** The few mdast node fields this package reads (kept local so the package needs no @types/mdast). */
export interface MarkdownNode {
  type: string;
  depth?: number;
  value?: string;
  children?: MarkdownNode[];
  position?: {
    start: { line: number; column: number; offset?: number };
    end: { line: number; column: number; offset?: number };
  };
}

export interface Location {
  line: number;
  column: number;
}

export type KeyPath = ReadonlyArray<string | number>;

/** A Markdown file split into its YAML frontmatter and its body, with a way back to frontmatter lines. */
export interface FrontmatterDocument {
  hasFrontmatter: boolean;
  /** The frontmatter as plain data; undefined when there is none or its YAML is broken. */
  data: unknown;
  /** Everything after the closing `---` line, byte for byte. The whole text when there is no frontmatter. */
  body: string;
  /** The file line (1-based) on which the body starts. */
  bodyLine: number;
  /** The text of the first depth-1 heading of the body, if any. */
  firstHeading?: string;
  /** The file location of a frontmatter key (`['phases', 2, 'depends_on', 0]`); the nearest existing parent otherwise. */
  locate(path: KeyPath): Location;
  /** YAML syntax problems (rule `frontmatter-yaml`). */
  diagnostics: Diagnostic[];
}

let processor: ReturnType<typeof createProcessor> | undefined;
function createProcessor() {
  return remark().use(remarkFrontmatter, ['yaml']);
}

/** Parses Markdown into an mdast tree (frontmatter-aware). */
export function parseMarkdown(text: string): MarkdownNode {
  processor ??= createProcessor();
  return processor.parse(text) as unknown as MarkdownNode;
}

/** The plain text of a node (what mdast-util-to-string does, for the node types headings hold). */
export function nodeText(node: MarkdownNode): string {
  if (typeof node.value === 'string' && node.type !== 'html') return node.value;
  return (node.children ?? []).map(nodeText).join('');
}

/** Splits `text` into frontmatter and body using remark + remark-frontmatter, and parses the YAML. */
export function parseFrontmatterDocument(text: string, file: string): FrontmatterDocument {
  const tree = parseMarkdown(text);
  const first = tree.children?.[0];
  const diagnostics: Diagnostic[] = [];
  const frontmatterNode = first?.type === 'yaml' ? first : undefined;
  const firstHeadingNode = tree.children?.find((node) => node.type === 'heading' && node.depth === 1);
  const firstHeading = firstHeadingNode ? nodeText(firstHeadingNode).trim() : undefined;
  if (!frontmatterNode?.position || frontmatterNode.position.end.offset === undefined) {
    // A first line `---` that no later `---` line closes: the frontmatter would silently become body text.
    if (/^---[ \t]*\r?$/.test(text.split('\n', 1)[0]!)) {
      diagnostics.push({
        reason:
          'Frontmatter opened with `---` on line 1 is never closed: add a `---` line after its last key (or remove line 1 if the file has no frontmatter)',
        file,
        line: 1,
        column: 1,
        ruleId: 'frontmatter-unclosed',
        fatal: true,
      });
    }
    return {
      hasFrontmatter: false,
      data: undefined,
      body: text,
      bodyLine: 1,
      ...(firstHeading ? { firstHeading } : {}),
      locate: () => ({ line: 1, column: 1 }),
      diagnostics,
    };
  }
  const end = frontmatterNode.position.end.offset;
  const newline = text.startsWith('\r\n', end) ? 2 : text.startsWith('\n', end) ? 1 : 0;
  const body = text.slice(end + newline);
  const bodyLine = frontmatterNode.position.end.line + (newline ? 1 : 0);
  // The YAML starts on the line after the opening `---`.
  const yamlFirstLine = frontmatterNode.position.start.line + 1;
  const source = frontmatterNode.value ?? '';
  const lineCounter = new LineCounter();
  const document = parseDocument(source, { lineCounter, prettyErrors: false, keepSourceTokens: false });
  const toLocation = (offset: number): Location => {
    const position = lineCounter.linePos(offset);
    return { line: yamlFirstLine + position.line - 1, column: position.col };
  };
  for (const error of document.errors) {
    const location = toLocation(error.pos[0]);
    diagnostics.push({
      reason: `Frontmatter is not valid YAML: ${error.message.split('\n')[0]}`,
      file,
      ...location,
      ruleId: 'frontmatter-yaml',
      fatal: true,
    });
  }
  const locate = (path: KeyPath): Location => {
    let node: unknown = document.contents;
    let best: Location = { line: frontmatterNode.position!.start.line, column: 1 };
    for (const step of path) {
      if (typeof step === 'string' && isMap(node)) {
        const pair = node.items.find((item) => isScalar(item.key) && String(item.key.value) === step);
        if (!pair) return best;
        const key = pair.key as YamlNode;
        if (key.range) best = toLocation(key.range[0]);
        node = pair.value;
      } else if (typeof step === 'number' && isSeq(node)) {
        const item = node.items[step] as YamlNode | undefined;
        if (!item) return best;
        if (item.range) best = toLocation(item.range[0]);
        node = item;
      } else {
        return best;
      }
    }
    return best;
  };
  return {
    hasFrontmatter: true,
    data: document.errors.length === 0 ? document.toJS() : undefined,
    body,
    bodyLine,
    ...(firstHeading ? { firstHeading } : {}),
    locate,
    diagnostics,
  };
}
