/**
 * docs/openapi.yaml's schemas compiled with Ajv (JSON Schema 2020-12, the dialect of OpenAPI 3.1), to check
 * real answers against what the document promises. Formats are checked with small local rules, so a
 * `date-time` that is not RFC 3339 is a mismatch too.
 */
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { ValidateFunction } from 'ajv';
import { resolveRef, type JsonObject, type OpenApiDocument } from '../../devtools/openapi/document.js';

const DOCUMENT_ID = 'openapi';

const FORMATS: Record<string, (value: string) => boolean> = {
  'date-time': (value) =>
    /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i.test(value) &&
    !Number.isNaN(Date.parse(value)),
  uuid: (value) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value),
  uri: (value) => URL.canParse(value),
};

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function pointerSegment(key: string): string {
  return encodeURIComponent(key.replaceAll('~', '~0').replaceAll('/', '~1'));
}

export interface OpenApiSchemas {
  /** The validator of the schema at a JSON pointer of the document (`/components/schemas/Error`). */
  at(pointer: string): ValidateFunction;
  /** Problems of `body` against the JSON schema of `status`'s answer (`200`, else `4XX`, else `default`). */
  responseProblems(
    operation: { path: string; method: string; webhook?: string },
    status: number,
    body: unknown,
  ): string[];
}

export function openApiSchemas(document: OpenApiDocument): OpenApiSchemas {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  for (const [name, check] of Object.entries(FORMATS)) ajv.addFormat(name, check);
  ajv.addSchema(document as unknown as object, DOCUMENT_ID);
  const compiled = new Map<string, ValidateFunction>();

  const at = (pointer: string): ValidateFunction => {
    let validate = compiled.get(pointer);
    if (!validate) {
      validate = ajv.compile({ $ref: `${DOCUMENT_ID}#${pointer}` });
      compiled.set(pointer, validate);
    }
    return validate;
  };

  /** JSON pointer of an operation's response schema, following a `$ref` to components.responses. */
  const responseSchemaPointer = (
    operation: { path: string; method: string; webhook?: string },
    status: number,
  ): string | undefined => {
    const base =
      operation.webhook === undefined
        ? `/paths/${pointerSegment(operation.path)}/${operation.method}`
        : `/webhooks/${pointerSegment(operation.webhook)}/${operation.method}`;
    const item =
      operation.webhook === undefined
        ? document.paths[operation.path]
        : document.webhooks?.[operation.webhook];
    const responses =
      isObject(item) && isObject(item[operation.method])
        ? (item[operation.method] as JsonObject).responses
        : undefined;
    if (!isObject(responses)) return undefined;
    const key = [String(status), `${String(status)[0]}XX`, 'default'].find(
      (candidate) => candidate in responses,
    );
    if (key === undefined) return undefined;
    const raw = responses[key];
    let pointer = `${base}/responses/${pointerSegment(key)}`;
    if (isObject(raw) && typeof raw.$ref === 'string') {
      pointer = raw.$ref
        .slice(1)
        .split('/')
        .map((part) => encodeURIComponent(part))
        .join('/');
    }
    const response = resolveRef(document, raw);
    const content = isObject(response) ? response.content : undefined;
    if (!isObject(content) || !isObject(content['application/json'])) return undefined;
    return `${pointer}/content/${pointerSegment('application/json')}/schema`;
  };

  return {
    at,
    responseProblems(operation, status, body) {
      const pointer = responseSchemaPointer(operation, status);
      const where = `${operation.method.toUpperCase()} ${operation.webhook ?? operation.path} → ${status}`;
      if (pointer === undefined) return [`${where}: the document has no JSON answer for this status`];
      const validate = at(pointer);
      if (validate(body)) return [];
      return (validate.errors ?? []).map(
        (error) =>
          `${where}: ${error.instancePath || '(body)'} ${error.message ?? ''} ${JSON.stringify(error.params)}`,
      );
    },
  };
}
