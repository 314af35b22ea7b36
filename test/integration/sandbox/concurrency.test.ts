/** Requests racing each other: where only one may win (a refresh token, a cancel, a review), only one does. */
import { control, http } from '../../../lab/helpers/sandboxClient';
import { useSandboxSession } from '../../../lab/helpers/sandboxFixture';

describe('sandbox under concurrent requests', () => {
	const f = useSandboxSession({ rateLimitPerMinute: 100_000 });

	const statuses = (results: { status: number }[]) => results.map((r) => r.status).sort();

	it('gives every one of 25 parallel creates its own job id', async () => {
		const ids = await Promise.all(Array.from({ length: 25 }, () => f.session.createJob()));
		expect(new Set(ids).size).toBe(25);
		expect((await control(f.sandbox, 'GET', '/jobs')).body).toHaveLength(25);
	});

	it('lets one refresh token be used once, even by 10 requests at the same moment', async () => {
		const results = await Promise.all(
			Array.from({ length: 10 }, () => http(`${f.sandbox.baseUrl}/access/refresh`, { headers: { refreshToken: f.session.refreshToken } })),
		);
		expect(statuses(results)).toEqual([200, ...Array(9).fill(401)]);
		const winner = results.find((r) => r.status === 200)!;
		expect((await http(`${f.sandbox.baseUrl}/access/refresh`, { headers: { refreshToken: winner.body.refreshToken } })).status).toBe(200);
	});

	it('cancels a job once when 10 cancels race: one SUCCESS, nine 422', async () => {
		const jobId = await f.session.createJob();
		const results = await Promise.all(Array.from({ length: 10 }, () => f.session.api('GET', `/jobs/${jobId}/cancel`)));
		expect(statuses(results)).toEqual([200, ...Array(9).fill(422)]);
		const history = (await control(f.sandbox, 'GET', `/jobs/${jobId}`)).body.history;
		expect(history.filter((h: { to: string }) => h.to === 'Canceled')).toHaveLength(1);
	});

	it('keeps the first of 10 racing reviews', async () => {
		const jobId = await f.session.createJob();
		for (const to of ['Assigned', 'InProgress', 'Completed']) await control(f.sandbox, 'POST', `/jobs/${jobId}/transition`, { to });
		const results = await Promise.all(Array.from({ length: 10 }, (_, i) => f.session.api('POST', `/jobs/${jobId}/review`, { rate: (i % 5) + 1 })));
		expect(statuses(results)).toEqual([200, ...Array(9).fill(422)]);
		const winner = results.findIndex((r) => r.status === 200);
		expect((await control(f.sandbox, 'GET', `/jobs/${jobId}`)).body.review.rate).toBe((winner % 5) + 1);
	});
});
