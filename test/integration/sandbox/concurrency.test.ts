/** Requests racing each other: where only one may win (a refresh token, a cancel, a review), only one does. */
import { startSandbox, type Sandbox } from '../../../sandbox';
import { control, http, PartnerSession } from '../../helpers/sandboxClient';

describe('sandbox under concurrent requests', () => {
	let sandbox: Sandbox;
	let session: PartnerSession;
	beforeEach(async () => {
		sandbox = await startSandbox({ autoDispatch: false, rateLimitPerMinute: 100_000 });
		session = await PartnerSession.login(sandbox);
	});
	afterEach(() => sandbox.close());

	const statuses = (results: { status: number }[]) => results.map((r) => r.status).sort();

	it('gives every one of 25 parallel creates its own job id', async () => {
		const ids = await Promise.all(Array.from({ length: 25 }, () => session.createJob()));
		expect(new Set(ids).size).toBe(25);
		expect((await control(sandbox, 'GET', '/jobs')).body).toHaveLength(25);
	});

	it('lets one refresh token be used once, even by 10 requests at the same moment', async () => {
		const results = await Promise.all(
			Array.from({ length: 10 }, () => http(`${sandbox.baseUrl}/access/refresh`, { headers: { refreshToken: session.refreshToken } })),
		);
		expect(statuses(results)).toEqual([200, ...Array(9).fill(401)]);
		const winner = results.find((r) => r.status === 200)!;
		expect((await http(`${sandbox.baseUrl}/access/refresh`, { headers: { refreshToken: winner.body.refreshToken } })).status).toBe(200);
	});

	it('cancels a job once when 10 cancels race: one SUCCESS, nine 422', async () => {
		const jobId = await session.createJob();
		const results = await Promise.all(Array.from({ length: 10 }, () => session.api('GET', `/jobs/${jobId}/cancel`)));
		expect(statuses(results)).toEqual([200, ...Array(9).fill(422)]);
		const history = (await control(sandbox, 'GET', `/jobs/${jobId}`)).body.history;
		expect(history.filter((h: { to: string }) => h.to === 'Canceled')).toHaveLength(1);
	});

	it('keeps the first of 10 racing reviews', async () => {
		const jobId = await session.createJob();
		for (const to of ['Assigned', 'InProgress', 'Completed']) await control(sandbox, 'POST', `/jobs/${jobId}/transition`, { to });
		const results = await Promise.all(Array.from({ length: 10 }, (_, i) => session.api('POST', `/jobs/${jobId}/review`, { rate: (i % 5) + 1 })));
		expect(statuses(results)).toEqual([200, ...Array(9).fill(422)]);
		const winner = results.findIndex((r) => r.status === 200);
		expect((await control(sandbox, 'GET', `/jobs/${jobId}`)).body.review.rate).toBe((winner % 5) + 1);
	});
});
