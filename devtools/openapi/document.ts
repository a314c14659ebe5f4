/**
 * docs/openapi.yaml, parsed, and the operations it describes: which function serves each one, and whether the
 * gateway routes it. The gateway rendering, the local gateway and the tests all read the routes from here.
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

export const OPENAPI_FILE = fileURLToPath(new URL('../../docs/openapi.yaml', import.meta.url));

export const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'] as const;
export type HttpMethod = (typeof HTTP_METHODS)[number];

export type JsonObject = { readonly [key: string]: unknown };

/** The parts of an OpenAPI 3.1 document this tooling reads; everything else is kept as it is. */
export interface OpenApiDocument extends JsonObject {
  readonly openapi: string;
  readonly info: JsonObject & { readonly title: string; readonly version: string };
  readonly paths: Readonly<Record<string, JsonObject>>;
  readonly webhooks?: Readonly<Record<string, JsonObject>>;
  readonly components?: JsonObject;
}

export interface DocumentedParameter {
  readonly name: string;
  readonly in: 'path' | 'query' | 'header' | 'cookie';
  readonly required: boolean;
  readonly description?: string;
  /** The JSON type of the parameter's schema, when it names one (`string`, `integer`, ...). */
  readonly type?: string;
}

export interface DocumentedOperation {
  readonly method: HttpMethod;
  /** The path the function serves (`x-rbm-path` for the operations under `webhooks`). */
  readonly path: string;
  /** The function that serves it (`x-rbm-function`). */
  readonly functionName: string;
  readonly operationId: string;
  readonly summary: string;
  /** False for the routes the platform calls on a function's own URL (`x-rbm-gateway: false`, `webhooks`). */
  readonly gateway: boolean;
  /** Its name under `webhooks`, for the operations described there. */
  readonly webhook?: string;
  readonly parameters: readonly DocumentedParameter[];
  /** Each response's description, by status key as written (`200`, `4XX`, `default`). */
  readonly responses: Readonly<Record<string, string>>;
}

export class OpenApiDocumentError extends Error {
  override readonly name = 'OpenApiDocumentError';
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function parseOpenApiDocument(text: string): OpenApiDocument {
  const parsed: unknown = parse(text);
  if (!isObject(parsed) || typeof parsed.openapi !== 'string' || !isObject(parsed.paths)) {
    throw new OpenApiDocumentError('not an OpenAPI 3 document: openapi and paths are required');
  }
  const info = parsed.info;
  if (!isObject(info) || typeof info.title !== 'string' || typeof info.version !== 'string') {
    throw new OpenApiDocumentError('info.title and info.version are required');
  }
  return parsed as OpenApiDocument;
}

export async function loadOpenApiDocument(file: string = OPENAPI_FILE): Promise<OpenApiDocument> {
  return parseOpenApiDocument(await readFile(file, 'utf8'));
}

/** Follows a local `$ref` (`#/components/...`); anything else is returned as it is. */
export function resolveRef(document: OpenApiDocument, value: unknown): unknown {
  let current = value;
  for (let depth = 0; isObject(current) && typeof current.$ref === 'string'; depth++) {
    const ref = current.$ref;
    if (depth > 16 || !ref.startsWith('#/')) throw new OpenApiDocumentError(`cannot resolve $ref ${ref}`);
    current = ref
      .slice(2)
      .split('/')
      .map((part) => part.replaceAll('~1', '/').replaceAll('~0', '~'))
      .reduce<unknown>((node, key) => (isObject(node) ? node[key] : undefined), document);
    if (current === undefined) throw new OpenApiDocumentError(`$ref ${ref} points at nothing`);
  }
  return current;
}

function parameterOf(document: OpenApiDocument, raw: unknown, where: string): DocumentedParameter {
  const parameter = resolveRef(document, raw);
  if (!isObject(parameter) || typeof parameter.name !== 'string' || typeof parameter.in !== 'string') {
    throw new OpenApiDocumentError(`${where}: a parameter without name or in`);
  }
  const schema = resolveRef(document, parameter.schema);
  const type = isObject(schema) && typeof schema.type === 'string' ? schema.type : undefined;
  return {
    name: parameter.name,
    in: parameter.in as DocumentedParameter['in'],
    required: parameter.required === true,
    ...(typeof parameter.description === 'string' ? { description: parameter.description } : {}),
    ...(type === undefined ? {} : { type }),
  };
}

/** Path-level parameters, overridden by operation-level ones of the same name and location. */
function mergedParameters(
  document: OpenApiDocument,
  pathItem: JsonObject,
  operation: JsonObject,
  where: string,
): DocumentedParameter[] {
  const list = (value: unknown) => (Array.isArray(value) ? value : []);
  const merged = new Map<string, DocumentedParameter>();
  for (const raw of [...list(pathItem.parameters), ...list(operation.parameters)]) {
    const parameter = parameterOf(document, raw, where);
    merged.set(`${parameter.in}:${parameter.name}`, parameter);
  }
  return [...merged.values()];
}

function responsesOf(document: OpenApiDocument, responses: unknown): Record<string, string> {
  if (!isObject(responses)) return {};
  return Object.fromEntries(
    Object.entries(responses).map(([status, raw]) => {
      const response = resolveRef(document, raw);
      return [
        status,
        isObject(response) && typeof response.description === 'string' ? response.description : '',
      ];
    }),
  );
}

function operationsOf(
  document: OpenApiDocument,
  pathItem: JsonObject,
  where: string,
  fixedPath: string | undefined,
  webhook: string | undefined,
): DocumentedOperation[] {
  const underWebhooks = webhook !== undefined;
  return HTTP_METHODS.flatMap((method) => {
    const operation = pathItem[method];
    if (operation === undefined) return [];
    const at = `${method.toUpperCase()} ${where}`;
    if (!isObject(operation)) throw new OpenApiDocumentError(`${at}: not an operation object`);
    const functionName = operation['x-rbm-function'];
    if (typeof functionName !== 'string') throw new OpenApiDocumentError(`${at}: no x-rbm-function`);
    if (typeof operation.operationId !== 'string') throw new OpenApiDocumentError(`${at}: no operationId`);
    const path = underWebhooks ? operation['x-rbm-path'] : fixedPath;
    if (typeof path !== 'string') throw new OpenApiDocumentError(`${at}: no x-rbm-path`);
    return [
      {
        method,
        path,
        functionName,
        operationId: operation.operationId,
        summary: typeof operation.summary === 'string' ? operation.summary : '',
        gateway: !underWebhooks && operation['x-rbm-gateway'] !== false,
        ...(webhook === undefined ? {} : { webhook }),
        parameters: mergedParameters(document, pathItem, operation, at),
        responses: responsesOf(document, operation.responses),
      },
    ];
  });
}

/** Every operation of `paths` and `webhooks`, in document order. */
export function documentedOperations(document: OpenApiDocument): DocumentedOperation[] {
  const fromPaths = Object.entries(document.paths).flatMap(([path, item]) =>
    operationsOf(document, item, path, path, undefined),
  );
  const fromWebhooks = Object.entries(document.webhooks ?? {}).flatMap(([name, item]) =>
    operationsOf(document, item, `webhooks.${name}`, undefined, name),
  );
  return [...fromPaths, ...fromWebhooks];
}

/** The operations the gateway routes: the RBM-compatible and project routes. */
export function gatewayOperations(document: OpenApiDocument): DocumentedOperation[] {
  return documentedOperations(document).filter((operation) => operation.gateway);
}

/** The functions the gateway routes to, sorted. */
export function gatewayFunctions(document: OpenApiDocument): string[] {
  return [...new Set(gatewayOperations(document).map((operation) => operation.functionName))].sort();
}
