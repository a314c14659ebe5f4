/** Reads the functions' structured log lines incrementally: what the webhook published and what inbound handled. */

export interface LogSource {
  logs(): string[];
}

export class LogIndex {
  private scanned = 0;
  readonly byMessage = new Map<string, number>();
  readonly ids = new Map<string, Set<string>>();

  constructor(
    private readonly source: LogSource,
    /** Log message → the field whose values are collected (e.g. 'Callback published' → 'pubsubMessageId'). */
    private readonly collect: Readonly<Record<string, string>>,
  ) {}

  /** Reads the lines printed since the last call. */
  update(): this {
    const lines = this.source.logs();
    for (; this.scanned < lines.length; this.scanned++) {
      const line = lines[this.scanned];
      if (line === undefined || !line.startsWith('{')) continue;
      let entry: Record<string, unknown>;
      try {
        entry = JSON.parse(line) as Record<string, unknown>;
      } catch {
        continue;
      }
      const message = typeof entry.message === 'string' ? entry.message : '';
      this.byMessage.set(message, (this.byMessage.get(message) ?? 0) + 1);
      const field = this.collect[message];
      const value = field === undefined ? undefined : entry[field];
      if (typeof value === 'string') {
        let set = this.ids.get(message);
        if (!set) this.ids.set(message, (set = new Set()));
        set.add(value);
      }
    }
    return this;
  }

  count(message: string): number {
    return this.byMessage.get(message) ?? 0;
  }

  idsOf(...messages: string[]): Set<string> {
    const out = new Set<string>();
    for (const message of messages) for (const id of this.ids.get(message) ?? []) out.add(id);
    return out;
  }
}
