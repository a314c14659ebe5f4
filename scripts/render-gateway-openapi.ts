/**
 * Renders dist/gateway/openapi2.yaml, the OpenAPI 2.0 document Google Cloud API Gateway takes, from
 * docs/openapi.yaml. Each backend is a placeholder `${<function>_url}` that terraform/gateway.tf fills with the
 * function's URL through templatefile(): the URLs exist only once Terraform created the functions.
 * Run by `npm run build`; also runnable alone: `npx tsx scripts/render-gateway-openapi.ts`.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gatewayFunctions, loadOpenApiDocument } from '../devtools/openapi/document.js';
import {
  gatewayDocumentText,
  renderGatewayDocument,
  terraformPlaceholder,
} from '../devtools/openapi/gateway-document.js';

export const GATEWAY_DOCUMENT_FILE = fileURLToPath(new URL('../dist/gateway/openapi2.yaml', import.meta.url));

export async function renderGatewayOpenApi(outFile: string = GATEWAY_DOCUMENT_FILE): Promise<string> {
  const document = await loadOpenApiDocument();
  const placeholders = gatewayFunctions(document).map(terraformPlaceholder);
  const text = gatewayDocumentText(renderGatewayDocument(document, terraformPlaceholder), placeholders);
  await mkdir(path.dirname(outFile), { recursive: true });
  await writeFile(outFile, text);
  return outFile;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const written = await renderGatewayOpenApi();
  console.log(`rendered ${path.relative(process.cwd(), written)}`);
}
