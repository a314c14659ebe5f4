/** What a route handler answers, before it becomes an HTTP response. */
import { googleError } from './google-error.js';
import type { GoogleErrorStatus } from './google-error.js';

export interface ApiAnswer {
  readonly status: number;
  readonly body: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

export function errorAnswer(code: number, status: GoogleErrorStatus, message: string): ApiAnswer {
  return { status: code, body: googleError(code, status, message) };
}

export function okAnswer(body: unknown): ApiAnswer {
  return { status: 200, body };
}

export const NOT_FOUND_ANSWER: ApiAnswer = errorAnswer(404, 'NOT_FOUND', 'Requested entity was not found.');
