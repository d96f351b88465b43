/**
 * A fresh "Lambda container" for the bundled-handler test: imports the bundle given in argv[2] (cold start), invokes
 * it once per event in argv[3] (a JSON array) and sends back each response or error over IPC, because the handler's
 * own log lines own stdout, as on Lambda. Only Node built-ins are imported, so nothing but the bundle is loaded.
 */
import { pathToFileURL } from 'node:url';

export type BundleChildReport = { ok: true; response: unknown } | { ok: false; name: string; message: string };

const [bundle = '', eventsJson = '[]'] = process.argv.slice(2);
const events = JSON.parse(eventsJson) as unknown[];
const reports: BundleChildReport[] = [];
try {
  const { handler } = (await import(pathToFileURL(bundle).href)) as { handler: (event: unknown, context: object) => Promise<unknown> };
  for (const [index, event] of events.entries()) {
    const context = { awsRequestId: `bundle-child-${index}`, functionName: 'bundle-child', getRemainingTimeInMillis: () => 5000 };
    try {
      reports.push({ ok: true, response: await handler(event, context) });
    } catch (error) {
      reports.push({ ok: false, name: (error as Error).name, message: (error as Error).message });
    }
  }
} catch (error) {
  reports.push({ ok: false, name: 'ColdStartFailed', message: String((error as Error).stack ?? error) });
}
await new Promise<void>((resolve) => process.send!(reports, () => resolve()));
process.exit(0);
