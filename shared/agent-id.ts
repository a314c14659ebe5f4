/** RBM agent ids: the bare id this project stores, and the `@rbm.goog` form RBM and callers also use. */

export const AGENT_DOMAIN = '@rbm.goog';

const AGENT_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/** The id without `@rbm.goog`. */
export function bareAgentId(id: string): string {
  return id.endsWith(AGENT_DOMAIN) ? id.slice(0, -AGENT_DOMAIN.length) : id;
}

/** Whether `id` (bare or suffixed) is a well-formed agent id. */
export function isAgentId(id: string): boolean {
  return AGENT_ID.test(bareAgentId(id));
}

/** Whether `given` (bare or suffixed) names the `configured` agent. */
export function isSameAgent(given: string, configured: string): boolean {
  return bareAgentId(given) === bareAgentId(configured);
}
