/**
 * The reader behind scripts/terraform-schema/extract.ts, on a trimmed copy of what cdktf generates for a
 * resource (same statements, same comments, fewer names).
 */
import { describe, expect, it } from 'vitest';
import { schemaFromCdktfSource, typeScriptSourceOf } from '../../scripts/terraform-schema/cdktf-schema.js';

const generated = `
import * as cdktf from 'cdktf';

export function widgetSpecRuleToHclTerraform(struct?: WidgetSpecRule | cdktf.IResolvable): any {
  const attrs = {
    pattern: {
      value: cdktf.stringToHclTerraform(struct!.pattern),
      isBlock: false,
      type: "simple",
      storageClassType: "string",
    },
  };
  return attrs;
}

export class WidgetSpecRuleOutputReference extends cdktf.ComplexObject {
  // pattern - computed: false, optional: false, required: true
  private _pattern?: string;
  public get pattern() {
    return this.getStringAttribute('pattern');
  }
}

export function widgetSpecToHclTerraform(struct?: WidgetSpecOutputReference | WidgetSpec): any {
  const attrs = {
    size: {
      value: cdktf.numberToHclTerraform(struct!.size),
      isBlock: false,
      type: "simple",
      storageClassType: "number",
    },
    rule: {
      value: cdktf.listMapperHcl(widgetSpecRuleToHclTerraform, true)(struct!.rule),
      isBlock: true,
      type: "set",
      storageClassType: "WidgetSpecRuleList",
    },
  };
  return attrs;
}

export class WidgetSpecOutputReference extends cdktf.ComplexObject {
  // size - computed: true, optional: true, required: false
  private _size?: number;
  public get size() {
    return this.getNumberAttribute('size');
  }

  // uri - computed: true, optional: false, required: false
  public get uri() {
    return this.getStringAttribute('uri');
  }

  // rule - computed: false, optional: true, required: false
  private _rule = new WidgetSpecRuleList(this, "rule", true);
}

export function widgetTimeoutsToHclTerraform(struct?: WidgetTimeouts | cdktf.IResolvable): any {
  const attrs = {
    create: {
      value: cdktf.stringToHclTerraform(struct!.create),
      isBlock: false,
      type: "simple",
      storageClassType: "string",
    },
  };
  return attrs;
}

export class WidgetTimeoutsOutputReference extends cdktf.ComplexObject {
  // create - computed: false, optional: true, required: false
  private _create?: string;
}

export class Widget extends cdktf.TerraformResource {
  public static readonly tfResourceType = "example_widget";

  // labels - computed: false, optional: true, required: false
  private _labels?: { [key: string]: string };

  // name - computed: false, optional: false, required: true
  private _name?: string;

  // effective_labels - computed: true, optional: false, required: false
  private _effectiveLabels = new cdktf.StringMap(this, "effective_labels");

  // spec - computed: false, optional: false, required: true
  private _spec = new WidgetSpecOutputReference(this, "spec");

  // timeouts - computed: false, optional: true, required: false
  private _timeouts = new WidgetTimeoutsOutputReference(this, "timeouts");

  protected synthesizeHclAttributes(): { [name: string]: any } {
    const attrs = {
      labels: {
        value: cdktf.hashMapperHcl(cdktf.stringToHclTerraform)(this._labels),
        isBlock: false,
        type: "map",
        storageClassType: "stringMap",
      },
      name: {
        value: cdktf.stringToHclTerraform(this._name),
        isBlock: false,
        type: "simple",
        storageClassType: "string",
      },
      spec: {
        value: widgetSpecToHclTerraform(this._spec.internalValue),
        isBlock: true,
        type: "list",
        storageClassType: "WidgetSpecList",
      },
      timeouts: {
        value: widgetTimeoutsToHclTerraform(this._timeouts.internalValue),
        isBlock: true,
        type: "struct",
        storageClassType: "WidgetTimeouts",
      },
    };
    return attrs;
  }
}
`;

describe('schemaFromCdktfSource', () => {
  const schema = schemaFromCdktfSource(generated);

  it('names the resource type', () => {
    expect(schema).toMatchObject({ kind: 'resource', type: 'example_widget' });
  });

  it('reads arguments with their types and flags, computed-only attributes included', () => {
    expect(schema.block.attributes).toEqual({
      effective_labels: { type: ['map', 'string'], computed: true },
      labels: { type: ['map', 'string'], optional: true },
      name: { type: 'string', required: true },
    });
  });

  it('reads nested blocks: required single, set of many, and the single timeouts block', () => {
    expect(schema.block.block_types?.spec).toEqual({
      nesting_mode: 'list',
      min_items: 1,
      max_items: 1,
      block: {
        attributes: {
          size: { type: 'number', optional: true, computed: true },
          uri: { type: 'string', computed: true },
        },
        block_types: {
          rule: {
            nesting_mode: 'set',
            block: { attributes: { pattern: { type: 'string', required: true } } },
          },
        },
      },
    });
    expect(schema.block.block_types?.timeouts).toEqual({
      nesting_mode: 'single',
      block: { attributes: { create: { type: 'string', optional: true } } },
    });
  });

  it('fails on a settable name the HCL attributes do not list (a change in what cdktf generates)', () => {
    const drifted = generated.replace(
      '  // name - computed: false, optional: false, required: true',
      '  // nick - computed: false, optional: true, required: false\n  // name - computed: false, optional: false, required: true',
    );
    expect(() => schemaFromCdktfSource(drifted)).toThrow(/example_widget\.nick: settable/);
  });
});

describe('typeScriptSourceOf', () => {
  it('returns the source embedded in a compiled module', () => {
    const map = Buffer.from(JSON.stringify({ version: 3, sourcesContent: [generated] })).toString('base64');
    const compiled = `"use strict";\n//# sourceMappingURL=data:application/json;base64,${map}`;
    expect(typeScriptSourceOf(compiled)).toBe(generated);
  });

  it('fails on a module without one', () => {
    expect(() => typeScriptSourceOf('"use strict";')).toThrow(/no inline source map/);
  });
});
