/**
 * YAML syntax errors in an author's words. The yaml library's messages name its
 * grammar ("Nested mappings are not allowed in compact mappings", "Implicit keys need
 * to be on a single line") and often point at the line before the one to fix; almost
 * always the cause is indentation. So: find the line whose indentation breaks the
 * block structure near the error and say what it should be; otherwise explain the
 * error by its code.
 */
import type { YAMLError } from 'yaml';

export interface Explained {
  line: number;
  column: number;
  message: string;
}

/** How far after the reported line the mis-indented line may lie (yaml reports the key it was reading). */
const LOOKAHEAD_LINES = 3;

export function explainYamlError(
  error: YAMLError,
  text: string,
  at: { line: number; column: number },
): Explained {
  const odd = oddIndentation(text.split(/\r?\n/)).find(
    (o) => o.line >= at.line - 1 && o.line <= at.line + LOOKAHEAD_LINES,
  );
  if (odd && INDENTATION_CODES.has(error.code)) {
    return { line: odd.line, column: odd.indent + 1, message: `wrong indentation: ${odd.hint}` };
  }
  return { ...at, message: byCode(error) };
}

const INDENTATION_CODES = new Set([
  'BAD_INDENT',
  'BLOCK_AS_IMPLICIT_KEY',
  'MULTILINE_IMPLICIT_KEY',
  'MISSING_CHAR',
  'UNEXPECTED_TOKEN',
]);

function byCode(error: YAMLError): string {
  switch (error.code) {
    case 'TAB_AS_INDENT':
      return 'a tab is used for indentation: YAML allows only spaces';
    case 'BAD_INDENT':
      if (/Flow (map|sequence)/.test(error.message))
        return "a '{ … }' or '[ … ]' is not closed: end it with '}' or ']' on the same line, or indent its next lines deeper than its key";
      return 'wrong indentation: keys of one mapping must start in the same column, and a nested block deeper than its key';
    case 'BLOCK_AS_IMPLICIT_KEY':
    case 'MULTILINE_IMPLICIT_KEY':
      return "a key runs over more than one line: check the indentation of the lines below it and that each key ends with ': '";
    case 'MISSING_CHAR':
      if (/without - indicator/.test(error.message))
        return "this line lines up with a list's items but does not start with '- ': indent it under the item above, or start a new item with '- '";
      return `something is missing here (YAML says: ${error.message})`;
    case 'BAD_SCALAR_START':
      return "a value cannot start with this character: put the value in quotes (for example '@x' or '*')";
    default:
      return `YAML syntax: ${error.message}`;
  }
}

interface OddLine {
  line: number;
  indent: number;
  hint: string;
}

/**
 * Lines whose indentation fits no open block: deeper than a line that opens none, or
 * back to a column no enclosing block uses. A heuristic over block YAML (flow
 * collections spanning lines and block scalars are skipped), used only beside an error
 * the parser reported.
 */
export function oddIndentation(lines: string[]): OddLine[] {
  const out: OddLine[] = [];
  const levels = [0];
  let opens = true;
  let previous = { line: 0, indent: 0 };
  let flowDepth = 0;
  let scalarIndent = -1;
  lines.forEach((raw, i) => {
    const content = raw.trim();
    const indent = raw.length - raw.trimStart().length;
    if (content === '' || content.startsWith('#')) return;
    if (scalarIndent >= 0 && indent > scalarIndent) return;
    scalarIndent = -1;
    if (flowDepth > 0) {
      flowDepth = Math.max(0, flowDepth + bracketBalance(content));
      return;
    }
    const line = i + 1;
    const top = levels[levels.length - 1]!;
    if (indent > top && !opens) {
      out.push({ line, indent, hint: deeperHint(line, indent, previous) });
    } else if (indent > top) {
      levels.push(indent);
    } else if (indent < top) {
      const popped: number[] = [];
      while (levels.length > 1 && levels[levels.length - 1]! > indent) popped.push(levels.pop()!);
      if (levels[levels.length - 1] !== indent) {
        out.push({ line, indent, hint: between(line, indent, [popped.at(-1)!, levels[levels.length - 1]!]) });
        levels.push(indent);
      }
    }
    const item = /^-\s+/.exec(content);
    const itemKeys = item && /^[^\s{[#'"][^:]*:(\s|$)/.test(content.slice(item[0].length));
    // A list item's mapping starts after its '- ': its next keys line up there.
    if (itemKeys) levels.push(indent + item[0].length);
    opens = /:$/.test(content) || content === '-' || /:\s*[|>][-+0-9]*$/.test(content);
    if (/:\s*[|>][-+0-9]*$/.test(content)) scalarIndent = indent;
    flowDepth = Math.max(0, bracketBalance(content));
    previous = { line, indent: itemKeys ? indent + item[0].length : indent };
  });
  return out;
}

function deeperHint(line: number, indent: number, previous: { line: number; indent: number }): string {
  return (
    `line ${line} is indented ${spaces(indent)}, deeper than the key on line ${previous.line} (${spaces(previous.indent)}), ` +
    `which opens no block (it does not end with ':'); ${previous.indent === 0 ? 'start it in the first column' : `indent it ${spaces(previous.indent)}`} to be another key of the same mapping`
  );
}

function between(line: number, indent: number, options: number[]): string {
  const [inner, outer] = options;
  return (
    `line ${line} is indented ${spaces(indent)}, but the blocks around it start at ${spaces(inner!)} or ${spaces(outer!)}: ` +
    'keys of one mapping must start in the same column'
  );
}

function spaces(n: number): string {
  return `${n} space${n === 1 ? '' : 's'}`;
}

/** Opening minus closing brackets outside quotes, for flow collections spanning lines. */
function bracketBalance(content: string): number {
  let depth = 0;
  let quote: string | undefined;
  for (let i = 0; i < content.length; i++) {
    const ch = content[i]!;
    if (quote !== undefined) {
      if (ch === '\\' && quote === '"') i++;
      else if (ch === quote) quote = undefined;
    } else if (ch === '"' || ch === "'") quote = ch;
    else if (ch === '#' && (i === 0 || content[i - 1] === ' ')) break;
    else if (ch === '{' || ch === '[') depth++;
    else if (ch === '}' || ch === ']') depth--;
  }
  return depth;
}
