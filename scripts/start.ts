/**
 * `npm start`: the whole product on this machine — emulators, Terraform's topics and subscriptions, the
 * four built functions and the RBM sandbox wired to the webhook — until Ctrl-C, which stops everything.
 */
import { EmulatorStartError } from '../devtools/emulators.js';
import { startLocalStack, type LocalStackOptions } from '../devtools/local-stack.js';
import { killAllGroupsSync } from '../devtools/processes.js';

const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

function portFromEnv(name: string): number | undefined {
  const value = process.env[name];
  if (value === undefined || value === '') return undefined;
  const port = Number(value);
  if (!Number.isInteger(port) || port <= 0 || port > 65535) throw new Error(`${name} must be a port number`);
  return port;
}

async function main(): Promise<void> {
  const started = Date.now();
  console.log('Starting the RBM functions stack on emulators…');
  const ports: LocalStackOptions['ports'] = {};
  for (const [name, variable] of [
    ['send', 'SEND_PORT'],
    ['revoke', 'REVOKE_PORT'],
    ['webhook', 'WEBHOOK_PORT'],
    ['inbound', 'INBOUND_PORT'],
    ['rbm', 'SANDBOX_PORT'],
    ['gateway', 'GATEWAY_PORT'],
  ] as const) {
    const port = portFromEnv(variable);
    if (port !== undefined) ports[name] = port;
  }
  const stack = await startLocalStack({
    ports,
    rbm: { autoEvents: { deliver: true, read: true, delayMs: 1500 } },
  });

  const rows: Array<[string, string]> = [
    ['gateway', `${stack.gateway.url}  every route of docs/openapi.yaml, with the key RBM_API_KEY`],
    ['send', `POST ${stack.functions.send.url}/v1/phones/{E.164}/agentMessages`],
    ['revoke', `DELETE ${stack.functions.revoke.url}/v1/phones/{E.164}/agentMessages/{id}`],
    ['webhook', `POST ${stack.functions.webhook.url}/  (client token: ${stack.clientToken})`],
    ['inbound', `${stack.functions.inbound.url}  (push target of rbm-inbound-to-inbound)`],
    ['RBM sandbox API', stack.rbm.url],
    ['sandbox page', stack.sandbox.url],
    ['Pub/Sub emulator', stack.emulators.pubsubHost],
    ['Firestore emulator', stack.emulators.firestoreHost],
  ];
  const width = Math.max(...rows.map(([name]) => name.length));
  console.log(`\nReady in ${((Date.now() - started) / 1000).toFixed(1)} s. Agent id: ${stack.agentId}\n`);
  for (const [name, url] of rows) console.log(`  ${name.padEnd(width)}  ${url}`);
  console.log('\nPoint tools at it with:\n');
  for (const [key, value] of Object.entries(stack.clientEnv)) console.log(`  export ${key}=${value}`);
  console.log('\nPress Ctrl-C to stop.');

  let stoppingSince: number | undefined;
  const shutdown = async (signal: string) => {
    if (stoppingSince !== undefined) {
      // npm relays the terminal's Ctrl-C a moment after the terminal delivered it: only a later one means "now".
      if (Date.now() - stoppingSince < 2_000) return;
      console.log(`\n${signal} again: killing what is left.`);
      killAllGroupsSync();
      process.exit(130);
    }
    stoppingSince = Date.now();
    console.log(`\n${signal}: stopping…`);
    await stack.stop();
    console.log('Stopped.');
    process.exit(0);
  };
  for (const signal of STOP_SIGNALS) process.on(signal, () => void shutdown(signal));
}

main().catch((error: unknown) => {
  if (error instanceof EmulatorStartError) console.error(error.message);
  else console.error(error);
  process.exit(1);
});
