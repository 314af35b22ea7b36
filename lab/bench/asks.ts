// Item 1 of figure 3: what one delivery asks of n8n, counted in-process on the context webhook()
// runs with (n8n-core's WebhookContext behind a real HTTP server, see lab/helpers).
import { createHmac } from 'node:crypto';

export interface AsksRow {
	delivery: string;
	status: number;
	parameters: string[];
	credentialReads: number;
	staticDataOpened: number;
	staticDataWrites: number;
}

const SECRET = 'bench-callback-secret';

export async function countAsksPerDelivery(): Promise<AsksRow[]> {
	const { startTriggerServer } = require('../helpers/webhook-context') as typeof import('../helpers/webhook-context');
	const { countAsks, nothingAsked } = require('../helpers/asked-of-n8n') as typeof import('../helpers/asked-of-n8n');
	let current = nothingAsked();
	const server = await startTriggerServer({ credentials: { callbackSecret: SECRET }, observeContext: (context) => countAsks(context, current) });
	const body = Buffer.from(JSON.stringify({ jobId: 9142, eventType: 'JobAssigned', jobName: 'Open house', jobStatus: 'Assigned' }));
	const sign = (secret: string, b: Buffer) => createHmac('sha256', secret).update(b).digest('hex');
	const other = Buffer.from(JSON.stringify({ jobId: 9143, eventType: 'JobAssigned', jobName: 'Open house', jobStatus: 'Assigned' }));
	const malformed = Buffer.from('{"jobId":3}');
	// in this order, within a second: the credential is read by the first genuine delivery and
	// kept for 10 s; the first wrong signature reads it again, the next one within 1 s does not
	// (nodes/G2SentryTrigger/secretsCache.ts)
	const deliveries: Array<[string, Buffer, Record<string, string>]> = [
		['genuine, first', body, { 'x-signature': sign(SECRET, body) }],
		['genuine, another within 10 s', other, { 'x-signature': sign(SECRET, other) }],
		['duplicate', body, { 'x-signature': sign(SECRET, body) }],
		['forged (wrong key), first', body, { 'x-signature': sign('not-the-secret', body) }],
		['forged (wrong key), another within 1 s', other, { 'x-signature': sign('not-the-secret', other) }],
		['no signature', body, {}],
		['malformed signature', body, { 'x-signature': 'abc123' }],
		['signed, malformed body', malformed, { 'x-signature': sign(SECRET, malformed) }],
	];
	const rows: AsksRow[] = [];
	try {
		for (const [delivery, b, headers] of deliveries) {
			current = nothingAsked();
			const reply = await server.post(b, headers);
			rows.push({ delivery, status: reply.status, ...current });
		}
	} finally {
		await server.close();
	}
	return rows;
}
