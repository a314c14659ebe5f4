/**
 * The structure of HCL text: which names are arguments (`name = value`) and which are blocks
 * (`name "label" { ... }`), with line numbers. @cdktf/hcl2json turns both `x { a = 1 }` and `x = [{ a = 1 }]`
 * into the same JSON, so the provider-schema checks read the syntax here instead. Values are not evaluated;
 * an argument only records the rough shape of its expression (a literal string, a list literal, ...).
 */

/** What an argument's expression is, as far as syntax tells without evaluating it. */
export type ValueShape = 'string' | 'number' | 'bool' | 'null' | 'tuple' | 'object' | 'expression';

export interface HclAttribute {
  kind: 'attribute';
  name: string;
  line: number;
  shape: ValueShape;
  /** The expression's source text, trimmed. */
  expression: string;
}

export interface HclBlock {
  kind: 'block';
  type: string;
  labels: string[];
  line: number;
  body: HclBody;
}

export type HclItem = HclAttribute | HclBlock;
export type HclBody = HclItem[];

export interface HclFile {
  fileName: string;
  body: HclBody;
}

const closerOf: Record<string, string> = { '(': ')', '[': ']', '{': '}' };
const identifierStart = /[A-Za-z_]/;
const identifierPart = /[A-Za-z0-9_-]/;

class Scanner {
  pos = 0;
  private readonly lineStarts: number[] = [0];

  constructor(
    readonly text: string,
    readonly fileName: string,
  ) {
    for (let i = 0; i < text.length; i++) if (text[i] === '\n') this.lineStarts.push(i + 1);
  }

  lineAt(offset: number): number {
    let low = 0;
    let high = this.lineStarts.length - 1;
    while (low < high) {
      const mid = Math.ceil((low + high) / 2);
      if ((this.lineStarts[mid] ?? 0) <= offset) low = mid;
      else high = mid - 1;
    }
    return low + 1;
  }

  fail(message: string, at = this.pos): never {
    throw new Error(`${this.fileName}:${this.lineAt(at)}: ${message}`);
  }

  get atEnd(): boolean {
    return this.pos >= this.text.length;
  }

  char(offset = 0): string {
    return this.text[this.pos + offset] ?? '';
  }

  startsComment(): boolean {
    return this.char() === '#' || (this.char() === '/' && (this.char(1) === '/' || this.char(1) === '*'));
  }

  /** Skips one comment at pos; a line comment stops before its newline. */
  skipComment(): void {
    if (this.char() === '/' && this.char(1) === '*') {
      const end = this.text.indexOf('*/', this.pos + 2);
      if (end < 0) this.fail('unterminated /* comment');
      this.pos = end + 2;
      return;
    }
    const end = this.text.indexOf('\n', this.pos);
    this.pos = end < 0 ? this.text.length : end;
  }

  skipBlanks(newlines: boolean): void {
    while (!this.atEnd) {
      const c = this.char();
      if (c === ' ' || c === '\t' || c === '\r' || (newlines && c === '\n')) this.pos++;
      else if (this.startsComment()) this.skipComment();
      else return;
    }
  }

  readIdentifier(): string | undefined {
    if (!identifierStart.test(this.char())) return undefined;
    const start = this.pos;
    while (identifierPart.test(this.char())) this.pos++;
    return this.text.slice(start, this.pos);
  }

  /** A quoted string from its opening quote, templates included; pos ends after the closing quote. */
  skipString(): void {
    const start = this.pos;
    this.pos++;
    while (!this.atEnd) {
      const c = this.char();
      if (c === '\\') this.pos += 2;
      else if ((c === '$' || c === '%') && this.char(1) === c && this.char(2) === '{') this.pos += 3;
      else if (c === '"') {
        this.pos++;
        return;
      } else if ((c === '$' || c === '%') && this.char(1) === '{') {
        this.pos += 2;
        this.skipNested('}');
      } else if (c === '\n') this.fail('newline in a quoted string', start);
      else this.pos++;
    }
    this.fail('unterminated string', start);
  }

  /** `<<EOT` or `<<-EOT` up to its closing marker line; pos ends after the marker. */
  skipHeredoc(): void {
    const start = this.pos;
    const header = /^<<-?([A-Za-z_][\w-]*)\r?\n/.exec(this.text.slice(this.pos));
    if (!header?.[1]) this.fail('malformed heredoc');
    this.pos += header[0].length;
    while (!this.atEnd) {
      const lineEnd = this.text.indexOf('\n', this.pos);
      const end = lineEnd < 0 ? this.text.length : lineEnd;
      if (this.text.slice(this.pos, end).trim() === header[1]) {
        this.pos = end;
        return;
      }
      this.pos = end + 1;
    }
    this.fail(`heredoc ${header[1]} is not closed`, start);
  }

  /** Inside brackets: skips up to and including `closer`, across newlines, strings and nested brackets. */
  skipNested(closer: string): void {
    const start = this.pos;
    while (!this.atEnd) {
      const c = this.char();
      if (c === closer) {
        this.pos++;
        return;
      }
      const nestedCloser = closerOf[c];
      if (nestedCloser) {
        this.pos++;
        this.skipNested(nestedCloser);
      } else if (c === ')' || c === ']' || c === '}') this.fail(`unexpected ${c}, expected ${closer}`);
      else if (c === '"') this.skipString();
      else if (c === '<' && this.char(1) === '<') this.skipHeredoc();
      else if (this.startsComment()) this.skipComment();
      else this.pos++;
    }
    this.fail(`missing ${closer}`, start);
  }

  /**
   * An argument's value: up to the end of its line (outside brackets), or up to the `}` that closes a
   * one-line block. Returns the end offset of the expression text (before any trailing comment).
   */
  skipExpression(): number {
    let end = this.pos;
    while (!this.atEnd) {
      const c = this.char();
      if (c === '\n' || c === '}' || c === ')' || c === ']') return end;
      if (this.startsComment() && !(c === '/' && this.char(1) === '*')) {
        this.skipComment();
        return end;
      }
      const closer = closerOf[c];
      if (closer) {
        this.pos++;
        this.skipNested(closer);
      } else if (c === '"') this.skipString();
      else if (c === '<' && this.char(1) === '<') this.skipHeredoc();
      else if (this.startsComment()) this.skipComment();
      else this.pos++;
      if (c !== ' ' && c !== '\t' && c !== '\r') end = this.pos;
    }
    return end;
  }

  readLabel(): string {
    if (this.char() === '"') {
      const start = this.pos;
      this.skipString();
      return this.text.slice(start + 1, this.pos - 1);
    }
    const identifier = this.readIdentifier();
    if (identifier === undefined) this.fail(`unexpected ${JSON.stringify(this.char())} in a block header`);
    return identifier;
  }

  /** A body up to its closing brace, or to the end of the text when `openedAt` (the block's start) is undefined. */
  parseBody(openedAt: number | undefined): HclBody {
    const body: HclBody = [];
    for (;;) {
      this.skipBlanks(true);
      if (this.atEnd) {
        if (openedAt !== undefined) this.fail('block is not closed', openedAt);
        return body;
      }
      if (this.char() === '}') {
        if (openedAt === undefined) this.fail('unexpected }');
        this.pos++;
        return body;
      }
      const start = this.pos;
      const name = this.readIdentifier();
      if (name === undefined) this.fail(`unexpected ${JSON.stringify(this.char())}`);
      this.skipBlanks(false);
      if (this.char() === '=' && this.char(1) !== '=') {
        this.pos++;
        this.skipBlanks(false);
        const expressionStart = this.pos;
        const expression = this.text.slice(expressionStart, this.skipExpression()).trim();
        if (expression === '') this.fail(`argument ${name} has no value`, start);
        body.push({
          kind: 'attribute',
          name,
          line: this.lineAt(start),
          shape: shapeOf(expression),
          expression,
        });
        continue;
      }
      const labels: string[] = [];
      while (this.char() !== '{') {
        if (this.atEnd || this.char() === '\n') this.fail(`expected "=" or a block after ${name}`, start);
        labels.push(this.readLabel());
        this.skipBlanks(false);
      }
      this.pos++;
      body.push({ kind: 'block', type: name, labels, line: this.lineAt(start), body: this.parseBody(start) });
    }
  }
}

/** Where the bracket or string that opens `text` closes (the offset after it), or -1. */
function endOfOpening(text: string): number {
  const scanner = new Scanner(text, 'expression');
  const c = scanner.char();
  const closer = closerOf[c];
  try {
    if (c === '"') scanner.skipString();
    else if (closer) {
      scanner.pos++;
      scanner.skipNested(closer);
    } else return -1;
  } catch {
    return -1;
  }
  return scanner.pos;
}

/** `"${x}"` alone is the value of x itself (of any type), not a string. */
function isSingleInterpolation(text: string): boolean {
  if (!text.startsWith('"${')) return false;
  const scanner = new Scanner(text, 'expression');
  scanner.pos = 3;
  try {
    scanner.skipNested('}');
  } catch {
    return false;
  }
  return scanner.pos === text.length - 1;
}

export function shapeOf(expression: string): ValueShape {
  if (/^-?\d+(\.\d+)?([eE][+-]?\d+)?$/.test(expression)) return 'number';
  if (expression === 'true' || expression === 'false') return 'bool';
  if (expression === 'null') return 'null';
  if (/^<<-?[A-Za-z_]/.test(expression)) return 'string';
  const wholeOpening = endOfOpening(expression) === expression.length;
  if (expression.startsWith('"') && wholeOpening) {
    return isSingleInterpolation(expression) ? 'expression' : 'string';
  }
  if (expression.startsWith('[') && wholeOpening) return 'tuple';
  if (expression.startsWith('{') && wholeOpening) return 'object';
  return 'expression';
}

/** Parses one file's text; throws `<fileName>:<line>: ...` on text that is not HCL. */
export function parseHclStructure(fileName: string, text: string): HclFile {
  return { fileName, body: new Scanner(text, fileName).parseBody(undefined) };
}
