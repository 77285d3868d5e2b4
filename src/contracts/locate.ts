/**
 * Turns a JSON pointer into the line and column of the YAML node it names, so that
 * every contract issue points at the exact spot a reviewer has to fix. Checks produce
 * `Finding`s (a pointer and a message, knowing nothing of YAML); the locator resolves
 * them against the parsed document.
 */
import {
  type Document,
  isAlias,
  isMap,
  isPair,
  isScalar,
  isSeq,
  LineCounter,
  type Node,
  parseDocument,
} from 'yaml';
import type { Issue } from '../errors';

/** A problem at a JSON pointer, before it is given a file position. */
export interface Finding {
  /** JSON pointer, e.g. `/schema/2/type`; for a missing key, the pointer the key would have. */
  path: string;
  message: string;
  /** Point at the mapping key rather than its value (unknown or misplaced keys). */
  target?: 'key' | 'value';
}

export function finding(path: string, message: string, target?: 'key'): Finding {
  return target ? { path, message, target } : { path, message };
}

export function escapePointerSegment(segment: string): string {
  return segment.replace(/~/g, '~0').replace(/\//g, '~1');
}

export function appendPointer(base: string, segment: string | number): string {
  return `${base}/${escapePointerSegment(String(segment))}`;
}

export function splitPointer(pointer: string): string[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

interface Position {
  line: number;
  column: number;
}

const UNKNOWN: Position = { line: 0, column: 0 };

export class YamlLocator {
  constructor(
    private readonly doc: Document,
    private readonly lineCounter: LineCounter,
    readonly file: string,
  ) {}

  /** The Issue for a finding: its path, and the position of the deepest node that exists. */
  issue(finding: Finding): Issue {
    return {
      file: this.file,
      path: finding.path,
      ...this.position(finding.path, finding.target),
      message: finding.message,
    };
  }

  /**
   * Position of the node at `pointer`. When the pointer runs past what exists (a missing
   * key), the deepest existing ancestor is used: for a missing key, its parent mapping.
   */
  position(pointer: string, target: 'key' | 'value' = 'value'): Position {
    let node: unknown = this.doc.contents;
    let keyNode: unknown;
    for (const segment of splitPointer(pointer)) {
      const pair = this.child(node, segment);
      if (!pair) return this.at(node);
      [node, keyNode] = [pair.value, pair.key];
    }
    if (target === 'key' && keyNode) return this.at(keyNode);
    // `owner:` with nothing after it has no useful value position; its key is the spot.
    if (keyNode && (node == null || (isScalar(node) && node.value === null && !node.source)))
      return this.at(keyNode);
    return this.at(node);
  }

  offsetPosition(offset: number): Position {
    const { line, col } = this.lineCounter.linePos(offset);
    return { line, column: col };
  }

  private child(node: unknown, segment: string): { key?: unknown; value: unknown } | undefined {
    if (isAlias(node)) node = node.resolve(this.doc);
    if (isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && keyText(p.key) === segment);
      return pair ? { key: pair.key, value: pair.value } : undefined;
    }
    if (isSeq(node) && /^\d+$/.test(segment)) {
      const item = node.items[Number(segment)];
      return item === undefined ? undefined : { value: item };
    }
    return undefined;
  }

  private at(node: unknown): Position {
    const range = (node as Node | null)?.range;
    return range ? this.offsetPosition(range[0]) : UNKNOWN;
  }
}

function keyText(key: unknown): string | undefined {
  if (isScalar(key)) return String(key.value);
  return typeof key === 'string' ? key : undefined;
}

/**
 * A locator over raw text, for callers that hold a contract's text but not its parsed
 * document (e.g. cross-file checks). Positions are unknown (0) if the text does not parse.
 */
export function locatorForText(text: string, file: string): YamlLocator {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  return new YamlLocator(doc, lineCounter, file);
}
