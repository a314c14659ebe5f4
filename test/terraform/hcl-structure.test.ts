import { describe, expect, it } from 'vitest';
import { parseHclStructure, shapeOf } from './hcl-structure.js';
import type { HclBody, ValueShape } from './hcl-structure.js';

/** A body as "name=shape" for arguments and "type label…{…}" for blocks, for compact expectations. */
function outline(body: HclBody): string[] {
  return body.map((item) =>
    item.kind === 'attribute'
      ? `${item.name}=${item.shape}`
      : `${[item.type, ...item.labels].join(' ')}{${outline(item.body).join(',')}}`,
  );
}

describe('parseHclStructure', () => {
  it.each<[string, string, string[]]>([
    ['an argument and a block', 'a = 1\nb {\n  c = "x"\n}\n', ['a=number', 'b{c=string}']],
    ['block labels, quoted or bare', 'resource "t" "n" {}\nx y {}\n', ['resource t n{}', 'x y{}']],
    ['a one-line block with an argument', 'b { a = var.x }\n', ['b{a=expression}']],
    ['an empty one-line block', 'replication {\n  auto {}\n}\n', ['replication{auto{}}']],
    [
      'a block and an argument with the same look in JSON',
      'x {\n  a = 1\n}\ny = [{ a = 1 }]\n',
      ['x{a=number}', 'y=tuple'],
    ],
    ['an object argument', 'labels = {\n  app = "rbm"\n}\n', ['labels=object']],
    [
      'braces and quotes inside strings and templates',
      'a = "}{ \\" ${lookup(var.m, "k", "}")} %{ if true }x%{ endif }"\nb {}\n',
      ['a=string', 'b{}'],
    ],
    ['an escaped interpolation', 'a = "$${not} {"\nb {}\n', ['a=string', 'b{}']],
    [
      'comments of every kind',
      '# one\n// two\n/* three\n { */\na = 1 # trailing {\nb = 2 // trailing }\nc {} /* after */\n',
      ['a=number', 'b=number', 'c{}'],
    ],
    ['a multi-line list with comments', 'a = [\n  "x", # first\n  "y",\n]\nb = 2\n', ['a=tuple', 'b=number']],
    ['a heredoc with braces', 'a = <<-EOT\n  { not a block\n  EOT\nb {}\n', ['a=string', 'b{}']],
    [
      'a dynamic block',
      'dynamic "env" {\n  for_each = var.e\n  content {\n    key = env.key\n  }\n}\n',
      ['dynamic env{for_each=expression,content{key=expression}}'],
    ],
    [
      'a multi-line function call',
      'a = merge(\n  var.x,\n  { b = 1 },\n)\nc = true\n',
      ['a=expression', 'c=bool'],
    ],
    ['a conditional', 'count = var.on ? 1 : 0\n', ['count=expression']],
  ])('reads %s', (_label, text, expected) => {
    expect(outline(parseHclStructure('t.tf', text).body)).toEqual(expected);
  });

  it('records the line of every item', () => {
    const [block] = parseHclStructure('t.tf', '\n# c\nresource "a" "b" {\n  x = 1\n\n  y {}\n}\n').body;
    expect(block?.line).toBe(3);
    expect(block?.kind === 'block' ? block.body.map((item) => item.line) : []).toEqual([4, 6]);
  });

  it.each([
    ['an unclosed block', 'a {\n  b = 1\n', /t\.tf:1: block is not closed/],
    ['an unterminated string', 'a = "x\nb = 1\n', /t\.tf:1: newline in a quoted string/],
    ['a stray closing brace', 'a = 1\n}\n', /t\.tf:2: unexpected }/],
    ['a name with neither = nor a block', 'a\nb = 1\n', /t\.tf:1: expected "=" or a block after a/],
    ['an argument without a value', 'a =\nb = 1\n', /t\.tf:1: argument a has no value/],
    ['an unclosed heredoc', 'a = <<EOT\nx\n', /t\.tf:1: heredoc EOT is not closed/],
  ])('rejects %s with file and line', (_label, text, expected) => {
    expect(() => parseHclStructure('t.tf', text)).toThrow(expected);
  });
});

describe('shapeOf', () => {
  it.each<[string, ValueShape]>([
    ['"x"', 'string'],
    ['"a-${var.x}"', 'string'],
    ['"${var.x}"', 'expression'],
    ['"${var.a}${var.b}"', 'string'],
    ['42', 'number'],
    ['-1.5e3', 'number'],
    ['true', 'bool'],
    ['null', 'null'],
    ['[1, 2]', 'tuple'],
    ['[for x in var.l : x]', 'tuple'],
    ['{ a = 1 }', 'object'],
    ['[1][0]', 'expression'],
    ['{ a = 1 }.a', 'expression'],
    ['"a" == var.x ? 1 : 2', 'expression'],
    ['var.x', 'expression'],
    ['<<EOT\nx\nEOT', 'string'],
  ])('%s is %s', (expression, shape) => {
    expect(shapeOf(expression)).toBe(shape);
  });
});
