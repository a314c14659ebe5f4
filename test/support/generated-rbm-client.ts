/**
 * The methods of Google's generated RBM client (`rcsbusinessmessaging_v1.Rcsbusinessmessaging`, the one RBM's
 * Node helper library ships) that the drop-in test uses, transcribed call for call: the same URL templates
 * (`{+parent}`, `{+name}` reserved expansion), required and path parameters, default root URL and
 * `createAPIRequest` of googleapis-common. Only the types are added.
 */
import { createAPIRequest } from 'googleapis-common';
import type {
  APIRequestContext,
  GaxiosResponseWithHTTP2,
  GlobalOptions,
  MethodOptions,
} from 'googleapis-common';

const DEFAULT_ROOT_URL = 'https://rcsbusinessmessaging.googleapis.com/';

type Params = Record<string, unknown> & { requestBody?: unknown };

function method<T>(
  context: APIRequestContext,
  template: string,
  httpMethod: 'GET' | 'POST' | 'DELETE',
  pathParams: string[],
) {
  return (params: Params = {}, options: MethodOptions = {}): Promise<GaxiosResponseWithHTTP2<T>> => {
    const rootUrl = options.rootUrl || DEFAULT_ROOT_URL;
    return createAPIRequest<T>({
      options: {
        url: (rootUrl + template).replace(/([^:]\/)\/+/g, '$1'),
        method: httpMethod,
        ...options,
      },
      params,
      requiredParams: pathParams,
      pathParams,
      context,
    });
  };
}

export class Rcsbusinessmessaging {
  readonly context: APIRequestContext;
  readonly files;
  readonly phones;
  readonly users;

  constructor(options: GlobalOptions = {}) {
    this.context = { _options: options };
    const context = this.context;
    this.files = { create: method<{ name: string }>(context, '/v1/files', 'POST', []) };
    this.phones = {
      getCapabilities: method<{ features?: string[] }>(context, '/v1/{+name}/capabilities', 'GET', ['name']),
      agentEvents: {
        create: method<Record<string, unknown>>(context, '/v1/{+parent}/agentEvents', 'POST', ['parent']),
      },
      agentMessages: {
        create: method<Record<string, unknown>>(context, '/v1/{+parent}/agentMessages', 'POST', ['parent']),
        delete: method<Record<string, unknown>>(context, '/v1/{+name}', 'DELETE', ['name']),
      },
    };
    this.users = {
      batchGet: method<{ reachableUsers?: string[] }>(context, '/v1/users:batchGet', 'POST', []),
    };
  }
}
