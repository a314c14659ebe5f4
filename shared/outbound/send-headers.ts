/** The send request's own headers: `Correlation-Id` and `Fallback-Policy`. */
import type { FieldViolation } from '../errors.js';
import { DEFAULT_FALLBACK_POLICY, FALLBACK_POLICIES, type FallbackPolicy } from '../fallback-decision.js';

export const CORRELATION_ID_HEADER = 'Correlation-Id';
export const FALLBACK_POLICY_HEADER = 'Fallback-Policy';

const PRINTABLE_ASCII = /^[\x20-\x7e]{1,256}$/;

export interface SendHeaders {
  correlationId?: string;
  fallbackPolicy: FallbackPolicy;
}

/** Both headers, as given (undefined when absent); every invalid one is reported. */
export function parseSendHeaders(raw: {
  correlationId: string | undefined;
  fallbackPolicy: string | undefined;
}): {
  headers: SendHeaders;
  violations: FieldViolation[];
} {
  const violations: FieldViolation[] = [];
  const correlationId = readCorrelationId(raw.correlationId, violations);
  const fallbackPolicy = readFallbackPolicy(raw.fallbackPolicy, violations);
  return {
    headers: { ...(correlationId === undefined ? {} : { correlationId }), fallbackPolicy },
    violations,
  };
}

/** The business's own reference: 1 to 256 printable ASCII characters, kept as sent. */
export function readCorrelationId(
  value: string | undefined,
  violations: FieldViolation[],
): string | undefined {
  if (value === undefined) return undefined;
  if (PRINTABLE_ASCII.test(value)) return value;
  violations.push({
    field: CORRELATION_ID_HEADER,
    description: 'must be 1 to 256 printable ASCII characters.',
  });
  return undefined;
}

/** `none` (the default), `safe` or `critical`, in any case. */
export function readFallbackPolicy(value: string | undefined, violations: FieldViolation[]): FallbackPolicy {
  if (value === undefined) return DEFAULT_FALLBACK_POLICY;
  const policy = value.trim().toLowerCase();
  if ((FALLBACK_POLICIES as readonly string[]).includes(policy)) return policy as FallbackPolicy;
  violations.push({
    field: FALLBACK_POLICY_HEADER,
    description: `must be one of ${FALLBACK_POLICIES.join(', ')}.`,
  });
  return DEFAULT_FALLBACK_POLICY;
}
