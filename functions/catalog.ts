/**
 * Every function of the product, declared once. The build, the local stack, the sandbox and the Terraform
 * tests all read this list; adding a function means adding its spec here (docs/development.md).
 */
import { campaignsSpec } from './campaigns/spec.js';
import { capabilitiesSpec } from './capabilities/spec.js';
import { eventsSpec } from './events/spec.js';
import { filesSpec } from './files/spec.js';
import { inboundSpec } from './inbound/spec.js';
import { reconcileSpec } from './reconcile/spec.js';
import { messagesSpec } from './messages/spec.js';
import { revokeSpec } from './revoke/spec.js';
import { sendSpec } from './send/spec.js';
import { webhookSpec } from './webhook/spec.js';

export const FUNCTION_SPECS = [
  sendSpec,
  revokeSpec,
  webhookSpec,
  inboundSpec,
  reconcileSpec,
  messagesSpec,
  eventsSpec,
  capabilitiesSpec,
  filesSpec,
  campaignsSpec,
] as const;

export type FunctionName = (typeof FUNCTION_SPECS)[number]['name'];

export const FUNCTION_NAMES: readonly FunctionName[] = FUNCTION_SPECS.map((spec) => spec.name);

export function specOf(name: string): (typeof FUNCTION_SPECS)[number] | undefined {
  return FUNCTION_SPECS.find((spec) => spec.name === name);
}
