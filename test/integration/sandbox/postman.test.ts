/**
 * The vendor's own request list (partner-api.postman_collection.json) replayed against the
 * sandbox: same methods, headers and raw bodies, checked against the collection's test scripts
 * and the documented answers. Only two things are adjusted, and only where the collection cannot
 * work anywhere today: its whenDate values lie in the past (any server refuses them), and the
 * "Get Job Info" example hard-codes job 34 (here: the job just created).
 */
import { readFileSync } from 'node:fs';
import { startSandbox, type Sandbox } from '../../../lab/sandbox';
import { control, hoursFromNow } from '../../../lab/helpers/sandboxClient';
import { findVendorDoc, vendorDocCandidates } from '../../../lab/helpers/vendorDocs';

interface PostmanRequest {
	method: string;
	header: { key: string; value: string }[];
	body?: { raw?: string };
	url: { raw: string };
	auth?: { type: string };
}
interface PostmanItem {
	name: string;
	item?: PostmanItem[];
	request?: PostmanRequest;
}

/** The collection is the vendor's file, kept beside the repository (not committed into it). */
const FILE = 'partner-api.postman_collection.json';
const COLLECTION = findVendorDoc(FILE);

function loadCollection(): Map<string, PostmanRequest> {
	const text = readFileSync(COLLECTION!, 'utf8');
	const requests = new Map<string, PostmanRequest>();
	const walk = (items: PostmanItem[]) => {
		for (const item of items) {
			if (item.item) walk(item.item);
			if (item.request) requests.set(item.name, item.request);
		}
	};
	walk((JSON.parse(text) as { item: PostmanItem[] }).item);
	return requests;
}

// CI clones the repository next to its shared folder, so there a missing collection is a failure;
// elsewhere (a clone without the vendor's documents) there is nothing to replay
if (!COLLECTION && process.env.CI) {
	throw new Error(`CI: ${FILE} not found in ${vendorDocCandidates().join(', ')} (set G2S_VENDOR_DOCS to its folder)`);
}
(COLLECTION ? describe : describe.skip)("the vendor's Postman collection against the sandbox", () => {
	const requests = COLLECTION ? loadCollection() : new Map<string, PostmanRequest>();
	const vars: Record<string, string> = {};
	let sandbox: Sandbox;

	beforeAll(async () => {
		// the partner of the collection's login example, so its requests run unchanged
		const login = JSON.parse(requests.get('Login')!.body!.raw!) as { partnerKey: string; partnerSecret: string };
		sandbox = await startSandbox({
			autoDispatch: false,
			partners: [{ ...login, name: 'Test Partner Company' }],
		});
		vars.BASE_PARTNER_URL = sandbox.baseUrl;
	});
	afterAll(() => sandbox.close());

	const fill = (text: string) => text.replace(/\{\{(\w+)\}\}/g, (_m, name: string) => {
		if (!(name in vars)) throw new Error(`collection variable ${name} not set yet`);
		return vars[name];
	});

	async function send(name: string, adjust: (raw: string) => string = (raw) => raw, url?: string) {
		const req = requests.get(name);
		if (!req) throw new Error(`no request "${name}" in the collection`);
		const headers: Record<string, string> = {};
		for (const h of req.header) headers[h.key] = fill(h.value);
		if (req.auth?.type === 'bearer') headers.Authorization = `Bearer ${vars.accessToken}`;
		const raw = req.body?.raw ? adjust(fill(req.body.raw)) : undefined;
		const res = await fetch(url ?? fill(req.url.raw), { method: req.method, headers, body: req.method === 'GET' ? undefined : raw });
		const text = await res.text();
		return { status: res.status, contentType: res.headers.get('content-type') ?? '', body: text ? JSON.parse(text) : undefined };
	}
	const futureDates = (raw: string) => raw.replace(/"whenDate": "[^"]+"/, `"whenDate": "${hoursFromNow(72)}"`);

	it('has the requests this test replays', () => {
		expect([...requests.keys()].sort()).toEqual(
			['Cancel Job', 'Get Job Info', 'Guardian Profile', 'Job Full Info', 'Job Status', 'Login', 'New Job', 'Rate Review', 'Refresh Token', 'Update Job'].sort(),
		);
	});

	it('Login: 200, schema, TEST_PARTNER / Test Partner Company', async () => {
		const res = await send('Login');
		expect(res.status).toBe(200);
		expect(res.body).toEqual({ partnerKey: 'TEST_PARTNER', name: 'Test Partner Company', accessToken: expect.any(String), refreshToken: expect.any(String) });
		vars.accessToken = res.body.accessToken;
		vars.refreshToken = res.body.refreshToken;
	});

	it('Refresh Token: 200 with partnerKey and name, new tokens', async () => {
		const res = await send('Refresh Token');
		expect(res.status).toBe(200);
		expect(res.body.partnerKey).toBe('TEST_PARTNER');
		expect(res.body.name).toBe('Test Partner Company');
		expect(res.body.refreshToken).not.toBe(vars.refreshToken);
		vars.accessToken = res.body.accessToken;
		vars.refreshToken = res.body.refreshToken;
	});

	it('New Job: as published its whenDate is in the past, so 400 naming whenDate', async () => {
		const res = await send('New Job');
		expect(res.status).toBe(400);
		expect(res.body.errors).toEqual([{ fieldName: 'whenDate', message: expect.any(String) }]);
	});

	it('New Job (future date): 201, only jobId, a number, application/json', async () => {
		const res = await send('New Job', futureDates);
		expect(res.status).toBe(201);
		expect(res.contentType).toContain('application/json');
		expect(Object.keys(res.body)).toEqual(['jobId']);
		expect(typeof res.body.jobId).toBe('number');
		vars.jobId = String(res.body.jobId);
	});

	it('Get Job Info: job 34 is unknown here (404); the same request for our job returns the record', async () => {
		expect((await send('Get Job Info')).status).toBe(404);
		const res = await send('Get Job Info', undefined, `${sandbox.baseUrl}/jobs/${vars.jobId}`);
		expect(res.status).toBe(200);
		expect(res.body.job).toMatchObject({ name: 'Open House 23 Main St', duration: 40, client: { clientId: 'InternalPartnerClientId' } });
	});

	it('Job Status and Job Full Info', async () => {
		expect((await send('Job Status')).body).toEqual({ jobId: Number(vars.jobId), status: 'New' });
		const full = await send('Job Full Info');
		expect(full.body).toMatchObject({ jobId: Number(vars.jobId), status: 'New', job: { location: { gps: { latitude: 40.717495 } } } });
	});

	it('Update Job: SUCCESS with a future date; the name changed', async () => {
		const res = await send('Update Job', futureDates);
		expect(res.status).toBe(200);
		expect(res.body).toEqual({ code: 'SUCCESS', message: expect.any(String) });
		expect((await send('Job Full Info')).body.job.name).toBe('Another Open House');
	});

	it('Guardian Profile: once a Guardian is assigned', async () => {
		await control(sandbox, 'POST', `/jobs/${vars.jobId}/transition`, { to: 'Assigned' });
		vars.guardianId = String((await send('Job Full Info')).body.guardian.guardianId);
		const res = await send('Guardian Profile');
		expect(res.status).toBe(200);
		expect(Object.keys(res.body).sort()).toEqual(['avatarUrl', 'bio', 'firstName', 'guardianId', 'lastName']);
	});

	it('Rate Review: 200 application/json once the job is Completed', async () => {
		expect((await send('Rate Review')).status).toBe(422);
		for (const to of ['InProgress', 'Completed']) await control(sandbox, 'POST', `/jobs/${vars.jobId}/transition`, { to });
		const res = await send('Rate Review');
		expect(res.status).toBe(200);
		expect(res.contentType).toContain('application/json');
	});

	it('Cancel Job: SUCCESS on a fresh job (a GET), then the job is Canceled', async () => {
		vars.jobId = String((await send('New Job', futureDates)).body.jobId);
		const res = await send('Cancel Job');
		expect(res.status).toBe(200);
		expect(res.body.code).toBe('SUCCESS');
		expect((await send('Job Status')).body.status).toBe('Canceled');
	});
});
