import { Client, fql } from 'fauna';
import { startLocalFauna } from '/work/wt/contention/local/fauna/index.ts';
import { createTriggerKey } from '/work/wt/contention/tools/fauna-admin.ts';
const fauna = await startLocalFauna({ port: 0, schemaDir: '/work/wt/contention/fauna', contention: {} });
import { startRecordingProxy } from '/work/wt/contention/tools/recording-proxy.ts';
const proxy = await startRecordingProxy(fauna.url);
const { secret } = await createTriggerKey({ endpoint: fauna.url, adminSecret: fauna.rootSecret, stage: 'x', createdBy: 'x' });
const clients = Array.from({ length: 8 }, () => new Client({ endpoint: new URL(proxy.url), secret, query_timeout_ms: 1500, client_timeout_buffer_ms: 500, max_attempts: 1 }));
const started = performance.now();
const results = await Promise.allSettled(Array.from({ length: 200 }, (_, i) => clients[i % 8]!.query(fql`signIn(${'sub-' + (i % 50)}, ${'user' + (i % 50) + '@example.com'}, true, 3600, ${{ userPoolId: 'p', clientId: 'c', triggerSource: 't' }}, 10)`)));
const errs: Record<string, number> = {};
for (const r of results) if (r.status === 'rejected') { const e = r.reason as any; const k = `${e.name} ${e.message} ${e.cause?.code ?? e.cause?.message ?? ""} ${e.cause?.cause?.message ?? ''}`; errs[k] = (errs[k] ?? 0) + 1; }
console.log('evalMs', (globalThis as any).evalMs, (globalThis as any).evals, 'ms', Math.round(performance.now() - started), 'ok', results.filter(r => r.status === 'fulfilled').length, errs, fauna.contentionCounts());
for (const c of clients) c.close();
await proxy.stop(); await fauna.stop();
