/**
 * Contract text → checked Contract. Layers, each reporting every problem it finds with
 * file, JSON pointer, line and column: YAML syntax (with yaml's own positions), the
 * size bounds (limits.ts), the meta-schema (structure), semantic checks (cross-field
 * rules), then compiling it as a run would (expressions, expectations, windows).
 * Syntax and size problems stop there: the later checks would only cost more.
 */
import { type Document, isMap, isScalar, LineCounter, visit } from 'yaml';
import { ContractValidationError, type Issue } from '../errors';
import { canonicalJson, sha256Hex } from './canonical';
import type { Contract, ParsedContract } from '../domain/contract';
import { type Finding, YamlLocator } from './locate';
import { checkMetaSchema } from './meta-schema';
import { checkSemantics } from './semantic-checks';
import { compileFindings } from './compile-findings';
import { explainYamlError } from './yaml-errors';
import { bytesMessage, CONTRACT_LIMITS, sizeFindings } from './limits';
import { duplicateKeys } from './duplicate-keys';
import { readYaml } from './yaml-read';
import { finish, finishInSlices, Slicer, type SlicedWork } from '../lib/slices';

/** Contracts are small, hand-written files; anything bigger is a mistake or an attack. */
export const MAX_CONTRACT_BYTES = CONTRACT_LIMITS.bytes;

/**
 * Aliases are legitimate YAML but contracts have little use for them; a low limit
 * stops "billion laughs" expansion long before it costs memory.
 */
const MAX_ALIAS_COUNT = CONTRACT_LIMITS.aliases;

/**
 * A report names this many problems, then how many more there are. Locating an issue
 * walks its mapping, so 40,000 bad values took 34 s to report; nobody reads past the
 * first screenful anyway.
 */
export const MAX_REPORTED_ISSUES = 100;

export function parseContract(text: string, file: string): ParsedContract {
  return finish(parsing(text, file));
}

/**
 * parseContract for the server (applyContract): the same checks, pausing between
 * pieces of the reading and between the layers whenever `slicer` says the slice is used
 * up, so requests keep being answered while a large contract is read.
 */
export function parseContractInSlices(
  text: string,
  file: string,
  slicer = new Slicer(),
): Promise<ParsedContract> {
  return finishInSlices(parsing(text, file), slicer);
}

function* parsing(text: string, file: string): SlicedWork<ParsedContract> {
  const { value, locator } = yield* readDocument(text, file);
  // An oversized contract is refused before the checks whose cost grows with its size.
  const oversized = sizeFindings(value as Record<string, unknown>).map((f) => locator.issue(f));
  if (oversized.length > 0) throw new ContractValidationError(oversized);
  const structural = checkMetaSchema(value);
  yield;
  const semantic = checkSemantics(
    value as Contract,
    structural.map((f) => f.path),
  );
  const issues = located([...structural, ...semantic], locator);
  if (issues.length > 0) throw new ContractValidationError(issues);
  yield;
  const contract = value as Contract;
  // Only a structurally sound contract can be compiled; compiling finds what runs would.
  const compiled = located(compileFindings(contract), locator);
  if (compiled.length > 0) throw new ContractValidationError(compiled);
  yield;
  return { contract, hash: sha256Hex(canonicalJson(contract)), file, text };
}

/** The first MAX_REPORTED_ISSUES findings with their positions, in order, and how many more. */
function located(findings: Finding[], locator: YamlLocator): Issue[] {
  const shown = sortIssues(findings.slice(0, MAX_REPORTED_ISSUES).map((f) => locator.issue(f)));
  const more = findings.length - shown.length;
  if (more > 0) {
    const message = `${more} more problems (the first ${MAX_REPORTED_ISSUES} are shown)`;
    shown.push({ file: locator.file, path: '', line: 0, column: 0, message });
  }
  return shown;
}

/** By position, so a reviewer reads the report top to bottom alongside the file. */
function sortIssues(issues: Issue[]): Issue[] {
  return issues
    .map((issue, i) => ({ issue, i }))
    .sort((a, b) => a.issue.line - b.issue.line || a.issue.column - b.issue.column || a.i - b.i)
    .map(({ issue }) => issue);
}

interface ReadDocument {
  /** The plain JS value of the top-level mapping, not yet checked. */
  value: unknown;
  locator: YamlLocator;
}

/** Parses the YAML and returns its single top-level mapping, or throws every syntax issue. */
function* readDocument(text: string, file: string): SlicedWork<ReadDocument> {
  const fileIssue = (message: string): Issue => ({ file, path: '', line: 0, column: 0, message });
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > MAX_CONTRACT_BYTES) {
    throw new ContractValidationError([fileIssue(bytesMessage(bytes))]);
  }
  const lineCounter = new LineCounter();
  const docs = yield* readYaml(text, lineCounter);
  const first = docs[0];
  if (!first) throw new ContractValidationError([fileIssue('contract file is empty')]);
  const locator = new YamlLocator(first, lineCounter, file);
  const syntax = sortIssues(
    dedupeIssues(
      docs.flatMap((doc) => [...syntaxIssues(doc, locator, text), ...duplicateKeyIssues(doc, locator)]),
    ),
  );
  if (syntax.length === 0 && docs.length > 1) {
    const at = locator.offsetPosition(docs[1]!.range[0]);
    syntax.push({
      file,
      path: '',
      ...at,
      message: `a contract file holds one YAML document; found ${docs.length}`,
    });
  }
  if (syntax.length > 0) throw new ContractValidationError(syntax);
  const contents = first.contents;
  if (contents === null || (isScalar(contents) && contents.value === null))
    throw new ContractValidationError([fileIssue('contract file is empty')]);
  return { value: toPlainValue(first, locator), locator };
}

/**
 * yaml's errors and warnings (e.g. an unresolved tag), explained in an author's words
 * and moved to the mis-indented line when that is the cause (yaml-errors.ts).
 */
function syntaxIssues(doc: Document, locator: YamlLocator, text: string): Issue[] {
  return [...doc.errors, ...doc.warnings].map((e) => ({
    file: locator.file,
    path: '',
    ...explainYamlError(e, text, locator.offsetPosition(e.pos[0])),
  }));
}

function duplicateKeyIssues(doc: Document, locator: YamlLocator): Issue[] {
  return duplicateKeys(doc).map(({ key, offset }) => ({
    file: locator.file,
    path: '',
    ...locator.offsetPosition(offset),
    message: `key '${key}' appears twice in the same mapping`,
  }));
}

/** yaml often reports one cause twice (e.g. a block key that is also multi-line); say it once. */
function dedupeIssues(issues: Issue[]): Issue[] {
  const seen = new Set<string>();
  return issues.filter((i) => {
    const id = `${i.line}:${i.column}:${i.message}`;
    if (seen.has(id)) return false;
    seen.add(id);
    return true;
  });
}

function toPlainValue(doc: Document, locator: YamlLocator): Record<string, unknown> {
  const fail = (message: string, offset = 0): never => {
    throw new ContractValidationError([
      { file: locator.file, path: '', ...locator.offsetPosition(offset), message },
    ]);
  };
  if (!isMap(doc.contents)) {
    fail('the top level must be a mapping (name: ..., version: ...)', doc.contents?.range?.[0] ?? 0);
  }
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (e) {
    // yaml signals alias abuse with a ReferenceError; anything else is still the input's fault.
    const why =
      e instanceof ReferenceError
        ? `YAML aliases expand too much (limit ${MAX_ALIAS_COUNT})`
        : 'unreadable YAML';
    fail(`${why}: ${(e as Error).message}`, firstAliasOffset(doc));
  }
  return keepVersionText(value as Record<string, unknown>, doc);
}

/**
 * `version: 1.2` is a YAML number; keeping its source text ("1.2", not 1.2 or "1.20" →
 * 1.2) lets the version error quote exactly what the author wrote.
 */
function keepVersionText(value: Record<string, unknown>, doc: Document): Record<string, unknown> {
  if (typeof value.version !== 'number') return value;
  const node = doc.get('version', true) as { source?: string } | undefined;
  return { ...value, version: node?.source ?? String(value.version) };
}

function firstAliasOffset(doc: Document): number {
  let offset = 0;
  visit(doc, {
    Alias(_, node) {
      offset = node.range?.[0] ?? 0;
      return visit.BREAK;
    },
  });
  return offset;
}
