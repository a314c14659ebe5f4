/**
 * Runs the fake Cloud Tasks as its own process: `tsx sandbox/fake-cloud-tasks/main.ts [--port N] [--paused]`.
 * Configure queues and faults through its `/_admin/` routes; Ctrl-C stops it.
 */
import { parseArgs } from 'node:util';
import { startFakeCloudTasks } from './server.js';

const { values } = parseArgs({
  options: { port: { type: 'string', default: '0' }, paused: { type: 'boolean', default: false } },
});
const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  process.stderr.write(`--port must be a port number, got "${values.port}"\n`);
  process.exit(2);
}
const fake = await startFakeCloudTasks({ port, paused: values.paused });
process.stdout.write(
  `fake Cloud Tasks listening on ${fake.url}\nexport CLOUD_TASKS_ENDPOINT=${fake.url} CLOUD_TASKS_AUTH=none\n`,
);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => void fake.stop().then(() => process.exit(0)));
}
