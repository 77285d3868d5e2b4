/**
 * YAML text → documents, read a slice at a time. yaml's parser reads a 190 KB contract
 * in 0.2–0.6 s, all of it before the first token comes out; applyContract does that on
 * the thread that answers requests. Fed a few lines at a time (the streaming use the
 * parser is built for: a line may be cut only at its end), the reading yields between
 * pieces, and the server can answer in between (pipeline/slices.ts). Composing the
 * documents from the tokens is a tenth of the work and stays one piece.
 */
import { Composer, type Document, type LineCounter, Parser } from 'yaml';
import type { SlicedWork } from '../lib/slices';

/** Characters read between two pause points; about 20 ms of parsing. */
export const YAML_PIECE_CHARS = 16 * 1024;

export function* readYaml(text: string, lineCounter: LineCounter): SlicedWork<Document.Parsed[]> {
  const parser = new Parser(lineCounter.addNewLine);
  const tokens = [];
  for (let at = 0; at < text.length;) {
    const newline = text.indexOf('\n', Math.min(text.length - 1, at + YAML_PIECE_CHARS));
    const end = newline < 0 ? text.length : newline + 1;
    for (const token of parser.parse(text.slice(at, end), true)) tokens.push(token);
    at = end;
    yield;
  }
  for (const token of parser.parse('', false)) tokens.push(token);
  // yaml's default (1.2 core schema) already avoids YAML 1.1 surprises such as `on` or
  // `no` becoming booleans. Duplicate keys are found afterwards in one pass
  // (duplicate-keys.ts): yaml's own check is quadratic in a mapping's keys.
  return [...new Composer({ uniqueKeys: false }).compose(tokens)];
}
