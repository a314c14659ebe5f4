/** What a soak phone does during a run; each script fixes the outcome its messages must reach. */
export type PhoneScript =
  /** Online: every message is delivered and read (automatic DELIVERED/READ callbacks); the user replies. */
  | 'reachable'
  /** Not an RCS user: RBM answers 404, the record is FAILED. */
  | 'unreachable'
  /** Offline while the messages are sent, online afterwards: queued, then delivered and read. */
  | 'offline-then-online'
  /** Offline; every message is revoked while queued. */
  | 'offline-revoked'
  /** Offline for the whole run: the messages stay SENT. */
  | 'offline-stays'
  /** Offline; every message is revoked, and RBM answers 200 while delivering it all the same (the revoke race). */
  | 'revoke-race'
  /** Offline; every message expires and RBM revokes it (TTL_EXPIRATION_REVOKED). */
  | 'ttl-expired'
  /** Offline; every message expires and RBM's revoke fails (TTL_EXPIRATION_REVOKE_FAILED); it stays queued. */
  | 'ttl-revoke-failed'
  /** As ttl-revoke-failed, then the phone comes online and gets the messages after all. */
  | 'ttl-revoke-failed-delivered'
  /** Online, but RBM never reports an outcome (no DELIVERED, no TTL event): reconcile's expiry timer decides. */
  | 'outcome-dropped'
  /** Online; unsubscribes with the UNSUBSCRIBE event before its messages, most of them promotions. */
  | 'unsubscribed-event'
  /** Online; unsubscribes by typing STOP before its messages, most of them promotions. */
  | 'unsubscribed-keyword';
