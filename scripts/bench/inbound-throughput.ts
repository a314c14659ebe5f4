/**
 * inbound end to end: DELIVERED events published to rbm-inbound → Pub/Sub push (emulator) → inbound → record
 * DELIVERED in Firestore. Records are seeded as SENT first; an event counts when inbound logged it processed
 * (the log line is written after the Firestore write), and the records are checked at the end.
 */
import { randomUUID } from 'node:crypto';
import type { Firestore } from '@google-cloud/firestore';
import type { PubSub } from '@google-cloud/pubsub';
import { deliveredEvent } from '../../sandbox/fake-rbm/index.js';
import type { LogSource } from '../soak/logs.js';
import { pollUntil } from '../soak/util.js';
import { summarize, type Summary } from './stats.js';

export interface InboundRun {
  readonly mode: 'steady' | 'burst';
  /** Offered rate for steady runs (events/s). */
  readonly offeredPerSecond: number | undefined;
  readonly events: number;
  /** First publish → last event processed. */
  readonly seconds: number;
  readonly eventsPerSecond: number;
  /** Publish → processed, per event. */
  readonly latencyMs: Summary;
  readonly allDelivered: boolean;
}

interface Seeded {
  readonly messageId: string;
  readonly phone: string;
}

async function seed(db: Firestore, agentId: string, count: number): Promise<Seeded[]> {
  const now = new Date();
  const seeded = Array.from({ length: count }, (_, i) => ({
    messageId: randomUUID(),
    phone: `+1555${String(3_000_000 + (i % 10_000)).padStart(7, '0')}`,
  }));
  for (let i = 0; i < seeded.length; i += 400) {
    const batch = db.batch();
    for (const { messageId, phone } of seeded.slice(i, i + 400)) {
      batch.create(db.collection('agentMessages').doc(messageId), {
        messageId,
        agentId,
        phoneNumber: phone,
        state: 'SENT',
        contentType: 'text',
        createdAt: now,
        updatedAt: now,
        sentAt: now,
        attempts: 1,
      });
    }
    await batch.commit();
  }
  return seeded;
}

/** `Inbound processed` log lines: messageId → time (ms since epoch). */
function processedTimes(source: LogSource, from: number): Map<string, number> {
  const times = new Map<string, number>();
  const lines = source.logs();
  for (let i = from; i < lines.length; i++) {
    const line = lines[i];
    if (!line?.startsWith('{') || !line.includes('"Inbound processed"')) continue;
    try {
      const entry = JSON.parse(line) as { messageId?: unknown; time?: unknown };
      if (typeof entry.messageId === 'string' && typeof entry.time === 'string') {
        times.set(entry.messageId, Date.parse(entry.time));
      }
    } catch {
      // not a log entry
    }
  }
  return times;
}

export async function measureInbound(options: {
  db: Firestore;
  pubsub: PubSub;
  inbound: LogSource;
  agentId: string;
  mode: 'steady' | 'burst';
  events: number;
  /** Steady mode: events per second. */
  ratePerSecond?: number;
  deadlineMs: number;
}): Promise<InboundRun> {
  const { db, pubsub, agentId } = options;
  const seeded = await seed(db, agentId, options.events);
  const topic = pubsub.topic('rbm-inbound', { batching: { maxMessages: 100, maxMilliseconds: 5 } });
  const logStart = options.inbound.logs().length;
  const published = new Map<string, number>();
  const publishOne = (item: Seeded): Promise<string> => {
    published.set(item.messageId, Date.now());
    const data = Buffer.from(
      JSON.stringify(deliveredEvent({ phone: item.phone, agentId, messageId: item.messageId })),
    );
    return topic.publishMessage({ data });
  };
  const started = Date.now();
  if (options.mode === 'burst') {
    await Promise.all(seeded.map(publishOne));
  } else {
    const interval = 1000 / (options.ratePerSecond ?? 50);
    const pending: Array<Promise<string>> = [];
    for (let i = 0; i < seeded.length; i++) {
      const due = started + i * interval;
      const lag = due - Date.now();
      if (lag > 0) await new Promise((resolve) => setTimeout(resolve, lag)); // pacing the offered load
      pending.push(publishOne(seeded[i] as Seeded));
    }
    await Promise.all(pending);
  }
  const times = await pollUntil(
    () => {
      const found = processedTimes(options.inbound, logStart);
      return seeded.every((s) => found.has(s.messageId)) ? found : undefined;
    },
    {
      timeoutMs: options.deadlineMs,
      intervalMs: 200,
      description: `inbound to process ${options.events} events`,
    },
  );
  const latencies = seeded.map((s) => (times.get(s.messageId) ?? 0) - (published.get(s.messageId) ?? 0));
  const last = Math.max(...seeded.map((s) => times.get(s.messageId) ?? 0));
  const seconds = (last - started) / 1000;
  const refs = seeded.map((s) => db.collection('agentMessages').doc(s.messageId));
  let delivered = 0;
  for (let i = 0; i < refs.length; i += 300) {
    const snapshots = await db.getAll(...refs.slice(i, i + 300));
    delivered += snapshots.filter((snapshot) => snapshot.get('state') === 'DELIVERED').length;
  }
  return {
    mode: options.mode,
    offeredPerSecond: options.mode === 'steady' ? (options.ratePerSecond ?? 50) : undefined,
    events: options.events,
    seconds: Math.round(seconds * 100) / 100,
    eventsPerSecond: Math.round((options.events / seconds) * 10) / 10,
    latencyMs: summarize(latencies),
    allDelivered: delivered === options.events,
  };
}
