import type { XPromptCatalog } from '../create-catalog.js';
import type { Diagnostic } from '../diagnostic.js';
import { DIRECTIVE_ALIASES, type DirectiveName, type Directives } from '../directives.js';
import type { TraceEntry } from '../expand-prompt.js';
import { type XPrompt, xpromptLocation } from '../parse-xprompt.js';
import { AGENT_NAME_RULE, isValidAgentName } from './agent-name.js';
import {
  parseColonArguments,
  parseParenArguments,
  trimTrailingPunctuation,
  type WrittenArgument,
} from './arguments.js';
import { findFencedCode } from './fenced-code.js';
import { MARKER, removeMarkers, trimBlankLines } from './finish-text.js';
import { coerceArgument } from './input-types.js';
import { LineIndex } from './line-index.js';
import { parseTimeValue, TIME_FORMATS } from './parse-time.js';
import { TextIndex } from './text-index.js';

/** Where the text being scanned lives, so that offsets become file positions. */
export interface Origin {
  file: string;
  locate(offset: number): { line: number; column: number };
}

export interface Location {
  file: string;
  line: number;
  column: number;
}

export interface ExpanderOptions {
  catalog: XPromptCatalog;
  maxDepth: number;
  maxExpansions: number;
  now: Date;
}

/** Directives of one segment as they are collected, with where each came from. */
export class SegmentDirectives {
  readonly directives: Directives = {};
  readonly locations: Partial<Record<DirectiveName, Location>> = {};
  bareWait: Location | undefined;
  constructor(readonly index: number) {}
}

const REFERENCE_NAME = /[A-Za-z_](?:[\w-]*\w)?(?:\/[A-Za-z_](?:[\w-]*\w)?)*/y;
const DIRECTIVE_WORD = /[A-Za-z]+/y;
const CANDIDATE = /[`#%\\]/g;
const BLANK_LINE = /\n[ \t]*\n/g;
const PLACEHOLDER = /\{\{\s*([A-Za-z_]\w*)\s*\}\}/g;

/** A `#` or `%` starts a token only at the start of the text, after whitespace, or after one of these. */
function isBoundary(text: string, index: number): boolean {
  if (index === 0) return true;
  const previous = text.charCodeAt(index - 1);
  // space, tab, newline, ( [ { " ' * >
  if (previous === 32 || previous === 9 || previous === 10 || previous === 42 || previous === 62) return true;
  if (previous === 40) return text.charCodeAt(index - 2) !== 93; // not a Markdown link target `](#x)`
  if (previous === 34 || previous === 39) return text.charCodeAt(index - 2) !== 61; // not an attribute `="#x"`
  return previous === 91 || previous === 123;
}

/**
 * How many diagnostics of one rule an expansion lists; the rest are counted in one closing diagnostic. A
 * prompt with more than this many problems of one kind is broken throughout (often generated), and building
 * and printing each of them would cost far more than the expansion itself.
 */
export const MAX_DIAGNOSTICS_PER_RULE = 100;

export class Expander {
  readonly trace: TraceEntry[] = [];
  #diagnostics: Diagnostic[] = [];
  #perRule = new Map<string, number>();
  #unlisted = new Map<string, { count: number; first: Location; fatal: boolean }>();
  #expansions = 0;
  #reportedXPrompts = new Set<XPrompt>();
  #lineIndexes = new WeakMap<XPrompt, LineIndex>();
  #hasReportedLimit = false;

  constructor(readonly options: ExpanderOptions) {}

  /**
   * Expands every reference and collects every directive of `text` (outside code), returning the output with
   * markers where directives were. `chain` holds the xprompts being expanded around this text.
   */
  scan(text: string, origin: Origin, chain: readonly string[], segment: SegmentDirectives): string {
    const fences = findFencedCode(text);
    const index = new TextIndex(text);
    let fenceIndex = 0;
    let output = '';
    let copiedUpTo = 0;
    let position = 0;
    let paragraphEnd = -1;
    const regex = new RegExp(CANDIDATE.source, 'g');
    for (;;) {
      regex.lastIndex = position;
      const match = regex.exec(text);
      if (!match) break;
      const at = match.index;
      while (fenceIndex < fences.length && fences[fenceIndex]!.end <= at) fenceIndex++;
      const fence = fences[fenceIndex];
      if (fence && fence.start <= at) {
        position = fence.end;
        continue;
      }
      const character = text[at];
      if (character === '\\') {
        position = at + 2;
        continue;
      }
      if (character === '`') {
        if (paragraphEnd < at) {
          BLANK_LINE.lastIndex = at;
          const blank = BLANK_LINE.exec(text);
          paragraphEnd = blank ? blank.index : text.length;
        }
        const limit = Math.min(paragraphEnd, fence ? fence.start : text.length);
        position = skipInlineCode(text, at, limit);
        continue;
      }
      const replaced =
        character === '#'
          ? this.#reference(text, at, index, origin, chain, segment)
          : this.#directive(text, at, index, origin, segment);
      if (replaced) {
        output += text.slice(copiedUpTo, at) + replaced.replacement;
        copiedUpTo = replaced.end;
        position = replaced.end;
      } else {
        position = at + 1;
      }
    }
    return copiedUpTo === 0 ? text : output + text.slice(copiedUpTo);
  }

  /** Every problem found, in order, then one line per rule that had more than MAX_DIAGNOSTICS_PER_RULE. */
  get diagnostics(): Diagnostic[] {
    const unlisted = [...this.#unlisted].map(([ruleId, { count, first, fatal }]) => ({
      reason: `${count} more ${ruleId} problem${count === 1 ? ' was' : 's were'} not listed after the first ${MAX_DIAGNOSTICS_PER_RULE} (the next at ${first.file}:${first.line}:${first.column}): fix those listed and expand again`,
      file: first.file,
      line: first.line,
      column: first.column,
      ruleId,
      fatal,
    }));
    return unlisted.length === 0 ? this.#diagnostics : [...this.#diagnostics, ...unlisted];
  }

  /** Records a problem. The reason and place may be given lazily: they are not built for unlisted ones. */
  #report(
    reason: string | (() => string),
    at: Location | (() => Location),
    ruleId: string,
    fatal = true,
  ): void {
    const count = (this.#perRule.get(ruleId) ?? 0) + 1;
    this.#perRule.set(ruleId, count);
    const locate = () => (typeof at === 'function' ? at() : at);
    if (count > MAX_DIAGNOSTICS_PER_RULE) {
      const unlisted = this.#unlisted.get(ruleId);
      if (unlisted === undefined) this.#unlisted.set(ruleId, { count: 1, first: locate(), fatal });
      else {
        unlisted.count++;
        unlisted.fatal ||= fatal;
      }
      return;
    }
    const where = locate();
    const text = typeof reason === 'function' ? reason() : reason;
    this.#diagnostics.push({
      reason: text,
      file: where.file,
      line: where.line,
      column: where.column,
      ruleId,
      fatal,
    });
  }

  #at(origin: Origin, offset: number): Location {
    return { file: origin.file, ...origin.locate(offset) };
  }

  #reference(
    text: string,
    index: number,
    textIndex: TextIndex,
    origin: Origin,
    chain: readonly string[],
    segment: SegmentDirectives,
  ): { end: number; replacement: string } | undefined {
    if (!isBoundary(text, index)) return undefined;
    REFERENCE_NAME.lastIndex = index + 1;
    const nameMatch = REFERENCE_NAME.exec(text);
    if (!nameMatch) return undefined;
    const name = nameMatch[0];
    const { catalog } = this.options;
    if (!catalog.has(name)) return undefined;
    const display = `#${name}`;
    let end = index + 1 + name.length;
    let written: WrittenArgument[] = [];
    const next = text[end];
    if (next === '(' || next === ':') {
      const parsed =
        next === '('
          ? parseParenArguments(text, end, display, textIndex)
          : parseColonArguments(text, end, textIndex);
      if (parsed && !parsed.isValid) {
        this.#report(parsed.reason, () => this.#at(origin, parsed.offset), parsed.ruleId);
        return undefined;
      }
      if (parsed) {
        written = parsed.arguments;
        end = parsed.end;
      }
    }
    const at = this.#at(origin, index);
    const xprompt = catalog.get(name)!;
    if (!this.#reportedXPrompts.has(xprompt)) {
      this.#reportedXPrompts.add(xprompt);
      this.#diagnostics.push(...xprompt.diagnostics);
    }
    if (xprompt.diagnostics.some((diagnostic) => diagnostic.fatal)) {
      this.#report(
        `${display} cannot be expanded because ${xpromptLocation(xprompt)} has errors (fix them first)`,
        at,
        'invalid-xprompt',
      );
      return undefined;
    }
    if (chain.includes(name)) {
      const cycle = [...chain.slice(chain.indexOf(name)), name].map((part) => `#${part}`).join(' -> ');
      this.#report(`xprompt cycle: ${cycle} (an xprompt may not include itself)`, at, 'xprompt-cycle');
      return undefined;
    }
    if (chain.length >= this.options.maxDepth) {
      this.#report(
        `xprompts nested more than ${this.options.maxDepth} deep: ${[...chain, name].map((part) => `#${part}`).join(' -> ')}`,
        at,
        'max-depth',
      );
      return undefined;
    }
    if (++this.#expansions > this.options.maxExpansions) {
      if (!this.#hasReportedLimit) {
        this.#hasReportedLimit = true;
        this.#report(
          `more than ${this.options.maxExpansions} xprompt expansions: the prompt grows without bound (check for xprompts that include others many times)`,
          at,
          'max-expansions',
        );
      }
      return undefined;
    }
    const values = this.#bind(xprompt, written, display, origin, at);
    if (!values) return undefined;

    this.trace.push({
      name,
      source: xprompt.source,
      file: at.file,
      line: at.line,
      column: at.column,
      depth: chain.length,
      segment: segment.index,
      chain: [...chain],
      arguments: Object.fromEntries(values),
    });
    const rendered = renderBody(xprompt.body, values);
    const lines = this.#lineIndex(xprompt);
    const bodyOrigin: Origin = {
      file: xpromptLocation(xprompt),
      locate: (offset) => lines.position(xprompt.bodyOffset + rendered.toTemplateOffset(offset)),
    };
    const expanded = trimBlankLines(
      removeMarkers(this.scan(rendered.text, bodyOrigin, [...chain, name], segment)),
    );
    return { end, replacement: expanded === '' ? MARKER : expanded };
  }

  #lineIndex(xprompt: XPrompt): LineIndex {
    let lines = this.#lineIndexes.get(xprompt);
    if (!lines) {
      lines = new LineIndex(xprompt.text);
      this.#lineIndexes.set(xprompt, lines);
    }
    return lines;
  }

  #bind(
    xprompt: XPrompt,
    written: WrittenArgument[],
    display: string,
    origin: Origin,
    at: Location,
  ): Map<string, string> | undefined {
    const inputs = xprompt.inputs;
    const given = new Map<string, WrittenArgument>();
    let isValid = true;
    const usage = () =>
      inputs.length === 0
        ? `${display} takes no arguments`
        : `${display} takes ${inputs.map((input) => `${input.name} (${input.type}${input.isRequired ? '' : ', optional'})`).join(', ')}`;
    let position = 0;
    for (const argument of written) {
      const argumentAt = () => this.#at(origin, argument.offset);
      // A positional argument takes the next input; a `key=value` one the input of that name.
      const input =
        argument.key === undefined
          ? inputs[position++]
          : inputs.find((candidate) => candidate.name === argument.key);
      if (!input) {
        if (argument.key === undefined)
          this.#report(() => `too many arguments: ${usage()}`, argumentAt, 'too-many-arguments');
        else
          this.#report(
            () => `unknown argument '${argument.key}': ${usage()}`,
            argumentAt,
            'unknown-argument',
          );
        isValid = false;
        continue;
      }
      if (given.has(input.name)) {
        this.#report(
          () => `argument '${input.name}' of ${display} is given twice`,
          argumentAt,
          'duplicate-argument',
        );
        isValid = false;
        continue;
      }
      given.set(input.name, argument);
    }
    const values = new Map<string, string>();
    for (const input of inputs) {
      const argument = given.get(input.name);
      if (!argument) {
        if (input.isRequired) {
          this.#report(
            () =>
              `missing argument '${input.name}' (${input.type}) of ${display}: write ${display}:VALUE or ${display}(${input.name}=VALUE)`,
            at,
            'missing-argument',
          );
          isValid = false;
        } else {
          values.set(input.name, input.default === undefined ? '' : String(input.default));
        }
        continue;
      }
      const coerced = coerceArgument(argument.value, input.type);
      if (!coerced.isValid) {
        this.#report(
          () =>
            `argument '${input.name}' of ${display} must be ${coerced.expected}, got ${JSON.stringify(argument.value)}`,
          () => this.#at(origin, argument.offset),
          'invalid-argument',
        );
        isValid = false;
        continue;
      }
      values.set(input.name, coerced.text);
    }
    return isValid ? values : undefined;
  }

  #directive(
    text: string,
    index: number,
    textIndex: TextIndex,
    origin: Origin,
    segment: SegmentDirectives,
  ): { end: number; replacement: string } | undefined {
    if (!isBoundary(text, index)) return undefined;
    DIRECTIVE_WORD.lastIndex = index + 1;
    const wordMatch = DIRECTIVE_WORD.exec(text);
    if (!wordMatch) return undefined;
    const word = wordMatch[0];
    const kind = Object.hasOwn(DIRECTIVE_ALIASES, word) ? DIRECTIVE_ALIASES[word] : undefined;
    if (!kind) return undefined;
    let end = index + 1 + word.length;
    const next = text[end];
    if (next !== undefined && /[\w/@-]/.test(next)) return undefined;
    const at = this.#at(origin, index);
    let value: string | undefined;
    let valueOffset = end;
    if (next === ':' && end + 1 < text.length && !/\s/.test(text[end + 1]!)) {
      let valueEnd = end + 1;
      while (valueEnd < text.length && !/\s/.test(text[valueEnd]!)) valueEnd++;
      value = trimTrailingPunctuation(text.slice(end + 1, valueEnd));
      valueOffset = end + 1;
      if (value === '') value = undefined;
      else end = end + 1 + value.length;
    } else if (next === '(') {
      // Remembered searches: many `%word(` on one long line must not each search the rest of the text.
      const lineEnd = textIndex.indexOf('\n', end);
      const close = textIndex.indexOf(')', end);
      if (close === -1 || (lineEnd !== -1 && close > lineEnd)) {
        this.#report(
          () =>
            `%${word}( is never closed: expected ')' on the same line (write %${word}(value) or %${word}:value)`,
          () => this.#at(origin, end),
          'unclosed-directive',
        );
        return undefined;
      }
      value = text.slice(end + 1, close).trim();
      valueOffset = end + 1;
      end = close + 1;
    }
    this.#collect(segment, kind, word, value, at, this.#at(origin, valueOffset));
    return { end, replacement: MARKER };
  }

  #collect(
    segment: SegmentDirectives,
    kind: DirectiveName,
    word: string,
    value: string | undefined,
    at: Location,
    valueAt: Location,
  ): void {
    const directives = segment.directives;
    if (kind === 'approve' || kind === 'plan' || kind === 'hide') {
      if (value !== undefined) {
        this.#report(`%${word} takes no value: write %${word} alone`, valueAt, 'directive-takes-no-value');
        return;
      }
      directives[kind] = true;
      segment.locations[kind] ??= at;
      return;
    }
    if (kind === 'wait') {
      if (value === undefined) {
        segment.bareWait ??= at;
        return;
      }
      const names = value
        .split(',')
        .map((part) => part.trim())
        .filter(Boolean);
      if (names.length === 0) {
        this.#report(
          `%${word} needs agent names: write %${word}:NAME or %${word}:a,b`,
          valueAt,
          'missing-directive-value',
        );
        return;
      }
      for (const name of names) {
        if (!isValidAgentName(name)) {
          this.#report(
            `%${word} names an invalid agent ${JSON.stringify(name)}: agent names are ${AGENT_NAME_RULE}`,
            valueAt,
            'invalid-directive-value',
          );
          continue;
        }
        directives.wait ??= [];
        if (!directives.wait.includes(name)) directives.wait.push(name);
      }
      segment.locations.wait ??= at;
      return;
    }
    if (value === undefined) {
      const example = { name: 'NAME', model: 'MODEL', time: '+10m', group: 'GROUP' }[kind];
      this.#report(`%${word} needs a value: write %${word}:${example}`, at, 'missing-directive-value');
      return;
    }
    let parsed = value;
    if (kind === 'name') {
      let name = value;
      if (name.startsWith('!')) {
        name = name.slice(1);
        directives.forceReuse = true;
      }
      if (!isValidAgentName(name)) {
        this.#report(
          `%${word} gives an invalid agent name ${JSON.stringify(name)}: use ${AGENT_NAME_RULE} (like %name:reviewer)`,
          valueAt,
          'invalid-directive-value',
        );
        return;
      }
      parsed = name;
    } else if (kind === 'time') {
      const time = parseTimeValue(value, this.options.now);
      if (!time.isValid) {
        this.#report(
          `%${word} value ${JSON.stringify(value)} is not a time (${time.reason}): use ${TIME_FORMATS}`,
          valueAt,
          'invalid-time',
        );
        return;
      }
      // Several %time directives: the latest wins (every one of them is "no earlier than").
      if (directives.time === undefined || time.iso > directives.time) directives.time = time.iso;
      segment.locations.time ??= at;
      return;
    } else if (/\s/.test(value)) {
      this.#report(
        `%${word} value ${JSON.stringify(value)} may not contain whitespace`,
        valueAt,
        'invalid-directive-value',
      );
      return;
    }
    const previous = directives[kind];
    if (previous !== undefined && previous !== parsed) {
      const first = segment.locations[kind]!;
      this.#report(
        `%${word}:${parsed} conflicts with %${kind}:${previous} at ${first.file}:${first.line}:${first.column} (a segment has one ${kind})`,
        at,
        'conflicting-directive',
      );
      return;
    }
    directives[kind] = parsed;
    segment.locations[kind] ??= at;
  }
}

/** Finds the end of the inline code span opened by the backtick run at `index`, or just past the run. */
function skipInlineCode(text: string, index: number, limit: number): number {
  let runEnd = index;
  while (text.charCodeAt(runEnd) === 96) runEnd++;
  const length = runEnd - index;
  let position = runEnd;
  for (;;) {
    const close = text.indexOf('`', position);
    if (close === -1 || close >= limit) return runEnd;
    let closeEnd = close;
    while (text.charCodeAt(closeEnd) === 96) closeEnd++;
    if (closeEnd - close === length) return closeEnd;
    position = closeEnd;
  }
}

interface RenderedBody {
  text: string;
  toTemplateOffset(offset: number): number;
}

/** Fills `{{ name }}` placeholders of declared inputs, everywhere in the body (code included). */
function renderBody(body: string, values: Map<string, string>): RenderedBody {
  if (values.size === 0 || !body.includes('{{')) return { text: body, toTemplateOffset: (offset) => offset };
  const substitutions: Array<{
    renderedStart: number;
    renderedEnd: number;
    templateStart: number;
    templateEnd: number;
  }> = [];
  let text = '';
  let copiedUpTo = 0;
  for (const match of body.matchAll(PLACEHOLDER)) {
    const value = values.get(match[1]!);
    if (value === undefined) continue;
    text += body.slice(copiedUpTo, match.index);
    const renderedStart = text.length;
    text += value;
    substitutions.push({
      renderedStart,
      renderedEnd: text.length,
      templateStart: match.index,
      templateEnd: match.index + match[0].length,
    });
    copiedUpTo = match.index + match[0].length;
  }
  text += body.slice(copiedUpTo);
  return {
    text,
    toTemplateOffset: (offset) => {
      let shift = 0;
      for (const substitution of substitutions) {
        if (offset < substitution.renderedStart) break;
        if (offset < substitution.renderedEnd) return substitution.templateStart;
        shift = substitution.templateEnd - substitution.renderedEnd;
      }
      return offset + shift;
    },
  };
}
