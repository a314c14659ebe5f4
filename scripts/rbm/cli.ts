/** The rbm CLI's argument parsing and output helpers. */
import { readFile } from 'node:fs/promises';
import { maskPhonesIn } from '../../devtools/clients/event-lines.js';
import type { FunctionAnswer } from '../../devtools/clients/functions-client.js';

export class UsageError extends Error {}

export interface ParsedArgs {
  readonly positional: string[];
  readonly flags: Map<string, string>;
  /** Flags given without a value (see BOOLEAN_FLAGS). */
  readonly switches: Set<string>;
}

/** Flags that take no value. */
const BOOLEAN_FLAGS = new Set(['fresh']);

export function parseArgs(args: readonly string[]): ParsedArgs {
  const positional: string[] = [];
  const flags = new Map<string, string>();
  const switches = new Set<string>();
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? '';
    if (arg.startsWith('--')) {
      const [name, inline] = arg.slice(2).split(/=(.*)/s, 2);
      if (name !== undefined && BOOLEAN_FLAGS.has(name) && inline === undefined) {
        switches.add(name);
        continue;
      }
      const value = inline ?? args[++i];
      if (name === undefined || value === undefined) throw new UsageError(`${arg} needs a value`);
      flags.set(name, value);
    } else {
      positional.push(arg);
    }
  }
  return { positional, flags, switches };
}

export function positiveInteger(flag: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1) throw new UsageError(`--${flag} must be a positive integer`);
  return parsed;
}

/** `HTTP 200 (idempotent replay; cache HIT, age 3 s)` and the body, phone numbers masked. */
export function printAnswer(answer: FunctionAnswer): void {
  const notes: string[] = [];
  if (answer.replayed) notes.push('idempotent replay');
  const cache = answer.headers['rbm-cache'];
  if (cache !== undefined) {
    const age = answer.headers.age;
    notes.push(`cache ${cache}${age === undefined ? '' : `, age ${age} s`}`);
  }
  console.log(`HTTP ${answer.status}${notes.length > 0 ? ` (${notes.join('; ')})` : ''}`);
  const body = answer.json === undefined ? answer.text : JSON.stringify(answer.json, null, 2);
  if (body !== '') console.log(maskPhonesIn(body));
}

export const succeeded = (answer: FunctionAnswer): number =>
  answer.status >= 200 && answer.status < 300 ? 0 : 1;

/** Resolves on Ctrl-C (or SIGTERM). */
export function untilStopped(): Promise<void> {
  return new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
}

/** `--json`: a file's path or inline JSON; a bare content message is wrapped in `contentMessage`. */
export async function agentMessageFrom(json: string): Promise<unknown> {
  const text = json.trimStart().startsWith('{') ? json : await readFile(json, 'utf8');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new UsageError(
      `--json is not valid JSON: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new UsageError('--json must be a JSON object');
  }
  return 'contentMessage' in parsed ? parsed : { contentMessage: parsed };
}
