import { N8nInstance } from './n8n-instance';
import { installCommunityPackage } from './package';
import { readExecutions } from './executions';
async function main() {
	const t0 = Date.now();
	const n8n = await new N8nInstance({ owner: { email: 'demo@example.com', password: 'Demo-pass1' } }).prepare();
	console.log('folder', n8n.userFolder, n8n.port);
	await installCommunityPackage(n8n.userFolder, '/tmp/fakepkg-out/n8n-nodes-g2sentry-0.0.1.tgz');
	console.log('installed', Date.now() - t0);
	await n8n.importCredentials([{ id: 'G2SentryDemoCred', name: 'G2 Sentry sandbox', type: 'g2SentryApi', data: { environment: 'custom', baseUrl: 'http://x/api/v1', partnerKey: 'k', partnerSecret: 's', callbackSecret: 'c' } }]);
	console.log('creds', Date.now() - t0);
	const cred = { g2SentryApi: { id: 'G2SentryDemoCred', name: 'G2 Sentry sandbox' } };
	await n8n.importWorkflows([
		{ id: 'wfTrigger0000001', name: 'trig', active: false, settings: {}, connections: { 'G2 Sentry Trigger': { main: [[{ node: 'G2 Sentry', type: 'main', index: 0 }]] } },
			nodes: [
				{ id: 'a1', name: 'G2 Sentry Trigger', type: 'n8n-nodes-g2sentry.g2SentryTrigger', typeVersion: 1, position: [0, 0], webhookId: '11111111-2222-3333-4444-555555555555', parameters: {}, credentials: cred },
				{ id: 'a2', name: 'G2 Sentry', type: 'n8n-nodes-g2sentry.g2Sentry', typeVersion: 1, position: [200, 0], parameters: {}, credentials: cred },
			] } as any,
		{ id: 'wfAction00000001', name: 'act', active: false, settings: {}, connections: { Webhook: { main: [[{ node: 'G2 Sentry', type: 'main', index: 0 }]] } },
			nodes: [
				{ id: 'b1', name: 'Webhook', type: 'n8n-nodes-base.webhook', typeVersion: 2, position: [0, 0], webhookId: 'aaaaaaaa-2222-3333-4444-555555555555', parameters: { httpMethod: 'POST', path: 'e2e-act', responseMode: 'lastNode', responseData: 'allEntries' } },
				{ id: 'b2', name: 'G2 Sentry', type: 'n8n-nodes-g2sentry.g2Sentry', typeVersion: 1, position: [200, 0], parameters: {}, credentials: cred },
			] } as any,
	]);
	console.log('wf', Date.now() - t0);
	await n8n.publishWorkflow('wfTrigger0000001');
	await n8n.publishWorkflow('wfAction00000001');
	console.log('pub', Date.now() - t0);
	await n8n.start();
	console.log('ready', Date.now() - t0);
	const url = `${n8n.baseUrl}/webhook/11111111-2222-3333-4444-555555555555/webhook`;
	await n8n.waitForWebhook(url);
	console.log('webhook', Date.now() - t0);
	const r = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jobId: 1 }) });
	console.log(r.status, await r.text());
	const r2 = await fetch(`${n8n.baseUrl}/webhook/e2e-act`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ a: 1 }) });
	console.log(r2.status, await r2.text());
	const types = await fetch(`${n8n.baseUrl}/types/nodes.json`);
	const tj = await types.json() as any[];
	console.log("types", types.status, JSON.stringify(tj).slice(0,300), Object.keys(tj));
	const login = await fetch(`${n8n.baseUrl}/rest/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ emailOrLdapLoginId: 'demo@example.com', password: 'Demo-pass1' }) });
	console.log('login', login.status, (await login.text()).slice(0, 200));
	await new Promise((r) => setTimeout(r, 1500));
	console.log(JSON.stringify(readExecutions(n8n.databaseFile, n8n.runtimeDir), null, 1).slice(0, 3000));
	await n8n.stop();
	console.log('stopped', Date.now() - t0, n8n.userFolder);
}
main().catch((e) => { console.error(e); process.exit(1); });
