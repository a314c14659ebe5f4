/** Checks shared by send and revoke on the RBM-style path and query. */
import type { FieldViolation } from '../errors.js';
import { isSameAgent } from '../agent-id.js';
import { isUuid } from '../ids.js';
import { isE164 } from '../phone.js';

export const PHONE_PATH_PATTERN = /^\/v1\/phones\/([^/]+)\/agentMessages(?:\/([^/]+))?\/?$/;

export interface AgentMessagePath {
  phoneNumber: string;
  messageId: string | undefined;
}

/** `/v1/phones/{E.164}/agentMessages[/{messageId}]`, with the phone possibly percent-encoded. */
export function parseAgentMessagePath(path: string): AgentMessagePath | undefined {
  const match = PHONE_PATH_PATTERN.exec(path);
  if (!match || match[1] === undefined) return undefined;
  try {
    return {
      phoneNumber: decodeURIComponent(match[1]),
      messageId: match[2] === undefined ? undefined : decodeURIComponent(match[2]),
    };
  } catch {
    return undefined;
  }
}

export function checkPhoneNumber(phoneNumber: string, violations: FieldViolation[]): void {
  if (!isE164(phoneNumber)) {
    violations.push({
      field: 'phoneNumber',
      description: 'must be an E.164 number: "+" then 7 to 15 digits, the first not 0.',
    });
  }
}

export function checkMessageId(messageId: string | undefined, violations: FieldViolation[]): void {
  if (messageId !== undefined && !isUuid(messageId)) {
    violations.push({ field: 'messageId', description: 'must be an RFC 4122 UUID.' });
  }
}

export function checkAgentId(
  agentIdParam: string | undefined,
  configured: string,
  violations: FieldViolation[],
): void {
  if (agentIdParam !== undefined && !isSameAgent(agentIdParam, configured)) {
    violations.push({ field: 'agentId', description: 'must be the agent this deployment serves.' });
  }
}
