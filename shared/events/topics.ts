/** The topics a record's queued events go to: status changes and fallback decisions (docs/topics.md). */
export interface EventTopics {
  status: string;
  fallback: string;
}
