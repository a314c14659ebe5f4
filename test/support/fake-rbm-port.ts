/** A scripted RBM for orchestrator unit tests: answers from a queue, records every call. */
import type { AgentMessage } from '../../shared/agent-message/types.js';
import type { RbmOutcome } from '../../shared/rbm/client.js';

export const ok = (body: Record<string, unknown> = {}): RbmOutcome => ({
  kind: 'ok',
  status: 200,
  body,
  attempts: 1,
});
export const rejected = (status: number, statusName = 'INVALID_ARGUMENT'): RbmOutcome => ({
  kind: 'rejected',
  status,
  error: { code: status, status: statusName, message: `RBM said ${status}` },
  attempts: 1,
});
export const unavailable = (): RbmOutcome => ({
  kind: 'unavailable',
  error: { code: 503, status: 'UNAVAILABLE', message: 'RBM unavailable' },
  attempts: 3,
});

export class ScriptedRbm {
  readonly creates: Array<{ phoneNumber: string; messageId: string; message: AgentMessage }> = [];
  readonly deletes: Array<{ phoneNumber: string; messageId: string }> = [];
  private readonly createAnswers: RbmOutcome[] = [];
  private readonly deleteAnswers: RbmOutcome[] = [];

  answerCreates(...answers: RbmOutcome[]): this {
    this.createAnswers.push(...answers);
    return this;
  }

  answerDeletes(...answers: RbmOutcome[]): this {
    this.deleteAnswers.push(...answers);
    return this;
  }

  async createAgentMessage(
    phoneNumber: string,
    messageId: string,
    message: AgentMessage,
  ): Promise<RbmOutcome> {
    this.creates.push({ phoneNumber, messageId, message });
    return this.createAnswers.shift() ?? ok({ name: `phones/${phoneNumber}/agentMessages/${messageId}` });
  }

  async deleteAgentMessage(phoneNumber: string, messageId: string): Promise<RbmOutcome> {
    this.deletes.push({ phoneNumber, messageId });
    return this.deleteAnswers.shift() ?? ok();
  }
}
