/** `files.create` in URL mode: `{fileUrl, thumbnailUrl?, agentId}` → `{name: "files/{id}"}`. */
import { randomBytes } from 'node:crypto';
import { errorAnswer, okAnswer } from '../api-answer.js';
import type { ApiAnswer } from '../api-answer.js';
import type { RecordedCall, StoredFile } from '../types.js';
import { isJsonObject, storedAgentId } from './context.js';
import type { RouteContext } from './context.js';

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || url.protocol === 'http:';
  } catch {
    return false;
  }
}

/** Each call makes a new file, as RBM does; the fake never fetches the URLs. */
export function createFile(context: RouteContext, call: RecordedCall): ApiAnswer {
  const body = call.body;
  if (!isJsonObject(body)) return errorAnswer(400, 'INVALID_ARGUMENT', 'Invalid JSON payload received.');
  const { fileUrl, thumbnailUrl } = body;
  if (typeof fileUrl !== 'string' || !isHttpUrl(fileUrl)) {
    return errorAnswer(400, 'INVALID_ARGUMENT', 'fileUrl must be an http(s) URL.');
  }
  if (thumbnailUrl !== undefined && (typeof thumbnailUrl !== 'string' || !isHttpUrl(thumbnailUrl))) {
    return errorAnswer(400, 'INVALID_ARGUMENT', 'thumbnailUrl must be an http(s) URL.');
  }
  const file: StoredFile = {
    name: `files/${randomBytes(12).toString('hex')}`,
    fileUrl,
    ...(thumbnailUrl === undefined ? {} : { thumbnailUrl }),
    agentId: storedAgentId(context, call),
    createdAt: new Date(),
  };
  context.state.addFile(file);
  context.state.changed();
  return okAnswer({ name: file.name });
}
