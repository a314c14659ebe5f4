/**
 * Reads the schema of one resource or data source out of the TypeScript source that cdktf generated for it from
 * the provider's own schema (the packages ship it inside each lib/<name>/index.js source map).
 *
 * What the generated code says, and what is taken from it:
 * - `xxxToHclTerraform(struct)` (and the resource's `synthesizeHclAttributes()`) lists every settable name of a
 *   block with `isBlock` and its `type` ("simple" | "list" | "set" | "map" | "struct"): argument or nested block.
 * - Each `...OutputReference` class (and the resource class) carries one comment per name,
 *   `// <name> - computed: <bool>, optional: <bool>, required: <bool>`, computed-only attributes included.
 * - A nested block built with `new XOutputReference(this, "name")` holds one block at most (max_items 1);
 *   `new XList(this, "name", wrapsSet)` holds many.
 */
import ts from 'typescript';
import type {
  CtyType,
  SchemaAttribute,
  SchemaBlock,
  SchemaBlockType,
} from '../../test/terraform/provider-schema.js';

export interface CdktfSchema {
  kind: 'resource' | 'data';
  /** e.g. "google_cloudfunctions2_function" (data sources: the type without "data.") */
  type: string;
  block: SchemaBlock;
}

interface HclEntry {
  name: string;
  isBlock: boolean;
  /** "simple" | "list" | "set" | "map" | "struct" */
  collection: string;
  storageClassType: string;
  /** The generated `...ToHclTerraform` function of a nested block or object, if any. */
  nestedFunction?: string;
}

interface Flags {
  computed: boolean;
  optional: boolean;
  required: boolean;
  /** The generated code that follows the comment, up to the next one: used to tell single from list blocks. */
  segment: string;
}

/** A compiled cdktf module (with its inline source map) → the TypeScript source it was compiled from. */
export function typeScriptSourceOf(compiledJs: string): string {
  const match = /sourceMappingURL=data:application\/json;base64,(\S+)/.exec(compiledJs);
  if (!match?.[1]) throw new Error('no inline source map');
  const map: unknown = JSON.parse(Buffer.from(match[1], 'base64').toString('utf8'));
  const sources =
    typeof map === 'object' && map !== null && 'sourcesContent' in map ? map.sourcesContent : undefined;
  const first: unknown = Array.isArray(sources) ? sources[0] : undefined;
  if (typeof first !== 'string') throw new Error('source map has no sourcesContent');
  return first;
}

function propertyName(name: ts.PropertyName): string | undefined {
  return ts.isIdentifier(name) || ts.isStringLiteral(name) ? name.text : undefined;
}

/** The `...ToHclTerraform` function a value expression calls, ignoring cdktf's own helpers. */
function nestedFunctionIn(expression: ts.Expression): string | undefined {
  let found: string | undefined;
  const visit = (node: ts.Node): void => {
    if (found) return;
    if (ts.isIdentifier(node) && node.text.endsWith('ToHclTerraform')) {
      const parent = node.parent;
      const isCdktfHelper = ts.isPropertyAccessExpression(parent) && parent.name === node;
      if (!isCdktfHelper) found = node.text;
    }
    ts.forEachChild(node, visit);
  };
  visit(expression);
  return found;
}

/** Entries of the `const attrs = { name: { value, isBlock, type, storageClassType }, ... }` inside a body. */
function hclEntriesIn(body: ts.Node): HclEntry[] {
  let literal: ts.ObjectLiteralExpression | undefined;
  const visit = (node: ts.Node): void => {
    if (literal) return;
    if (
      ts.isVariableDeclaration(node) &&
      ts.isIdentifier(node.name) &&
      node.name.text === 'attrs' &&
      node.initializer &&
      ts.isObjectLiteralExpression(node.initializer)
    ) {
      literal = node.initializer;
      return;
    }
    ts.forEachChild(node, visit);
  };
  visit(body);
  if (!literal) return [];
  return literal.properties.map((property) => {
    if (!ts.isPropertyAssignment(property) || !ts.isObjectLiteralExpression(property.initializer)) {
      throw new Error(`unexpected attrs entry: ${property.getText()}`);
    }
    const name = propertyName(property.name);
    if (name === undefined) throw new Error(`unexpected attrs key: ${property.name.getText()}`);
    const fields = new Map<string, ts.Expression>();
    for (const field of property.initializer.properties) {
      if (ts.isPropertyAssignment(field)) fields.set(propertyName(field.name) ?? '', field.initializer);
    }
    const text = (key: string): string => {
      const value = fields.get(key);
      if (value && ts.isStringLiteral(value)) return value.text;
      throw new Error(`attrs.${name}.${key} is not a string literal`);
    };
    const value = fields.get('value');
    const isBlock = fields.get('isBlock');
    const nestedFunction = value ? nestedFunctionIn(value) : undefined;
    return {
      name,
      isBlock: isBlock?.kind === ts.SyntaxKind.TrueKeyword,
      collection: text('type'),
      storageClassType: text('storageClassType'),
      ...(nestedFunction ? { nestedFunction } : {}),
    };
  });
}

const flagComment =
  /^ {2}\/\/ (\w+) - computed: (true|false), optional: (true|false), required: (true|false)$/gm;

/** The per-name comments of one class, each with the code up to the next comment. */
function flagsIn(classText: string): Map<string, Flags> {
  const matches = [...classText.matchAll(flagComment)];
  return new Map(
    matches.map((match, i) => {
      const end = matches[i + 1]?.index ?? classText.length;
      return [
        match[1] ?? '',
        {
          computed: match[2] === 'true',
          optional: match[3] === 'true',
          required: match[4] === 'true',
          segment: classText.slice(match.index, end),
        },
      ];
    }),
  );
}

const simpleTypes: Record<string, CtyType> = { string: 'string', number: 'number', boolean: 'bool' };
const elementTypes: Record<string, CtyType> = {
  stringList: 'string',
  numberList: 'number',
  booleanList: 'bool',
  stringMap: 'string',
  numberMap: 'number',
  booleanMap: 'bool',
  anyMap: 'dynamic',
};

/** A settable argument's cty type from cdktf's `type` and `storageClassType`; "dynamic" where cdktf is vaguer. */
function ctyTypeOf(entry: HclEntry): CtyType {
  if (entry.collection === 'simple') return simpleTypes[entry.storageClassType] ?? 'dynamic';
  const element = elementTypes[entry.storageClassType] ?? 'dynamic';
  if (entry.collection === 'list' || entry.collection === 'set' || entry.collection === 'map') {
    return [entry.collection, element];
  }
  return 'dynamic';
}

/** A computed-only attribute's cty type, from the getter cdktf generated for it. */
function computedTypeOf(segment: string): CtyType {
  if (/getStringAttribute\(/.test(segment)) return 'string';
  if (/getNumberAttribute\(/.test(segment)) return 'number';
  if (/getBooleanAttribute\(/.test(segment)) return 'bool';
  if (/getNumberListAttribute\(/.test(segment)) return ['list', 'number'];
  if (/getListAttribute\(/.test(segment)) return ['list', 'string'];
  if (/new cdktf\.StringMap\(/.test(segment)) return ['map', 'string'];
  if (/new cdktf\.NumberMap\(/.test(segment)) return ['map', 'number'];
  if (/new cdktf\.BooleanMap\(/.test(segment)) return ['map', 'bool'];
  return 'dynamic';
}

function attributeFlags(flags: Flags | undefined): Omit<SchemaAttribute, 'type'> {
  if (!flags) return { optional: true };
  return {
    ...(flags.required ? { required: true } : {}),
    ...(flags.optional ? { optional: true } : {}),
    ...(flags.computed ? { computed: true } : {}),
  };
}

interface GeneratedModule {
  functions: Map<string, ts.FunctionDeclaration>;
  classes: Map<string, ts.ClassDeclaration>;
}

function blockOf(
  module: GeneratedModule,
  entries: HclEntry[],
  flags: Map<string, Flags>,
  where: string,
): SchemaBlock {
  const attributes: Record<string, SchemaAttribute> = {};
  const blockTypes: Record<string, SchemaBlockType> = {};
  for (const entry of entries) {
    const entryFlags = flags.get(entry.name);
    if (!entry.isBlock) {
      attributes[entry.name] = { type: ctyTypeOf(entry), ...attributeFlags(entryFlags) };
      continue;
    }
    if (!entry.nestedFunction) throw new Error(`${where}.${entry.name}: block without a nested function`);
    const nested = nestedBlockOf(module, entry.nestedFunction, `${where}.${entry.name}`);
    const single = new RegExp(`new \\w+OutputReference\\(this, "${entry.name}"\\)`).test(
      entryFlags?.segment ?? '',
    );
    const nestingMode =
      entry.collection === 'struct' ? 'single' : entry.collection === 'set' ? 'set' : 'list';
    blockTypes[entry.name] = {
      nesting_mode: nestingMode,
      block: nested,
      ...(entryFlags?.required ? { min_items: 1 } : {}),
      ...(single && nestingMode !== 'single' ? { max_items: 1 } : {}),
    };
  }
  for (const [name, nameFlags] of flags) {
    if (name in attributes || name in blockTypes) continue;
    if (nameFlags.optional || nameFlags.required) {
      throw new Error(`${where}.${name}: settable, but not in the generated HCL attributes`);
    }
    attributes[name] = { type: computedTypeOf(nameFlags.segment), computed: true };
  }
  return {
    ...(Object.keys(attributes).length > 0 ? { attributes: sortedByKey(attributes) } : {}),
    ...(Object.keys(blockTypes).length > 0 ? { block_types: sortedByKey(blockTypes) } : {}),
  };
}

function nestedBlockOf(module: GeneratedModule, functionName: string, where: string): SchemaBlock {
  const declaration = module.functions.get(functionName);
  if (!declaration) throw new Error(`${where}: no function ${functionName}`);
  const structName = functionName.charAt(0).toUpperCase() + functionName.slice(1, -'ToHclTerraform'.length);
  const outputReference = module.classes.get(`${structName}OutputReference`);
  const flags = outputReference ? flagsIn(outputReference.getText()) : new Map<string, Flags>();
  return blockOf(module, hclEntriesIn(declaration), flags, where);
}

function sortedByKey<T>(record: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => a.localeCompare(b)));
}

function baseClassOf(declaration: ts.ClassDeclaration): string | undefined {
  return declaration.heritageClauses?.[0]?.types[0]?.expression.getText();
}

/** The schema of the resource or data source a generated cdktf module (TypeScript source) describes. */
export function schemaFromCdktfSource(source: string): CdktfSchema {
  const file = ts.createSourceFile('index.ts', source, ts.ScriptTarget.Latest, true);
  const module: GeneratedModule = { functions: new Map(), classes: new Map() };
  for (const statement of file.statements) {
    if (ts.isFunctionDeclaration(statement) && statement.name)
      module.functions.set(statement.name.text, statement);
    if (ts.isClassDeclaration(statement) && statement.name)
      module.classes.set(statement.name.text, statement);
  }
  const main = [...module.classes.values()].find((declaration) =>
    ['cdktf.TerraformResource', 'cdktf.TerraformDataSource'].includes(baseClassOf(declaration) ?? ''),
  );
  if (!main) throw new Error('no TerraformResource or TerraformDataSource class');
  const typeMatch = /static readonly tfResourceType = "([\w-]+)"/.exec(main.getText());
  if (!typeMatch?.[1]) throw new Error('no tfResourceType');
  const synthesize = main.members.find(
    (member) => ts.isMethodDeclaration(member) && member.name.getText() === 'synthesizeHclAttributes',
  );
  if (!synthesize) throw new Error(`${typeMatch[1]}: no synthesizeHclAttributes()`);
  const kind = baseClassOf(main) === 'cdktf.TerraformDataSource' ? 'data' : 'resource';
  const block = blockOf(module, hclEntriesIn(synthesize), flagsIn(main.getText()), typeMatch[1]);
  return { kind, type: typeMatch[1], block };
}
