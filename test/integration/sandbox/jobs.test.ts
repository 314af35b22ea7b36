import { control, hoursFromNow, http, PartnerSession, validJob } from '../../../lab/helpers/sandboxClient';
import { useSandboxSession } from '../../../lab/helpers/sandboxFixture';

describe('sandbox /jobs routes', () => {
	const f = useSandboxSession();

	const move = (jobId: number, to: string) => control(f.sandbox, 'POST', `/jobs/${jobId}/transition`, { to });

	describe('create', () => {
		it('answers 201 with only { jobId }, a number', async () => {
			const res = await f.session.api('POST', '/jobs', validJob());
			expect(res.status).toBe(201);
			expect(res.headers.get('content-type')).toContain('application/json');
			expect(Object.keys(res.body)).toEqual(['jobId']);
			expect(typeof res.body.jobId).toBe('number');
			const second = await f.session.api('POST', '/jobs', validJob());
			expect(second.body.jobId).not.toBe(res.body.jobId);
		});

		it('answers { jobId, status: "New" } in the overview-diagram variant', async () => {
			f.sandbox.configure({ variants: { createResponseIncludesStatus: true } });
			const res = await f.session.api('POST', '/jobs', validJob());
			expect(res.status).toBe(201);
			expect(res.body).toEqual({ jobId: expect.any(Number), status: 'New' });
		});

		it('accepts gps without an address, and both together', async () => {
			const gpsOnly = await f.session.api('POST', '/jobs', validJob({ location: { gps: { latitude: 40.7, longitude: -74.1 } } }));
			expect(gpsOnly.status).toBe(201);
			const both = validJob({
				location: { address: { address1: '1 A St', address2: 'APT 1', city: 'X', state: 'NY', zip: '10001-1234' }, gps: { latitude: 0, longitude: 0 } },
			});
			expect((await f.session.api('POST', '/jobs', both)).status).toBe(201);
		});
	});

	describe('get and status', () => {
		it('returns the full record with the create fields and no guardian while New', async () => {
			const body = validJob({ description: 'Side door', client: { clientId: 'c-1', clientInfo: 'VIP', clientPhone: '1234567890' } });
			const { body: created } = await f.session.api('POST', '/jobs', body);
			const res = await f.session.api('GET', `/jobs/${created.jobId}`);
			expect(res.status).toBe(200);
			expect(res.body).toEqual({ jobId: created.jobId, status: 'New', job: body });
			expect(res.body.guardian).toBeUndefined();
		});

		it('shows the assigned guardian with thumbnail and masked phone', async () => {
			const jobId = await f.session.createJob();
			await move(jobId, 'Assigned');
			const res = await f.session.api('GET', `/jobs/${jobId}`);
			expect(res.body.status).toBe('Assigned');
			expect(res.body.guardian).toEqual({
				guardianId: expect.any(Number),
				firstName: expect.any(String),
				lastName: expect.any(String),
				avatarThumbnailUrl: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\//),
				phone: expect.stringMatching(/^\+1555/),
			});
		});

		it('answers { jobId, status } on /status', async () => {
			const jobId = await f.session.createJob();
			const res = await f.session.api('GET', `/jobs/${jobId}/status`);
			expect(res.status).toBe(200);
			expect(res.body).toEqual({ jobId, status: 'New' });
		});

		it('answers 404 for an unknown job and 400 for a non-numeric id', async () => {
			const missing = await f.session.api('GET', '/jobs/999999');
			expect(missing.status).toBe(404);
			expect(missing.body).toEqual({ code: 'NOT_FOUND', message: expect.any(String) });
			const bad = await f.session.api('GET', '/jobs/abc/status');
			expect(bad.status).toBe(400);
			expect(bad.body.errors).toEqual([{ fieldName: 'jobId', message: expect.any(String) }]);
		});
	});

	describe('partner isolation', () => {
		it("answers another partner's job exactly like an unknown one, on every route", async () => {
			const jobId = await f.session.createJob();
			await move(jobId, 'Assigned');
			const other = await PartnerSession.login(f.sandbox, f.sandbox.otherPartner);
			const unknown = await other.api('GET', '/jobs/999999');
			const guardianId = (await f.session.api('GET', `/jobs/${jobId}`)).body.guardian.guardianId;
			for (const [method, path, body] of [
				['GET', `/jobs/${jobId}`],
				['GET', `/jobs/${jobId}/status`],
				['PATCH', `/jobs/${jobId}`, { name: 'hijack' }],
				['GET', `/jobs/${jobId}/cancel`],
				['POST', `/jobs/${jobId}/review`, { rate: 5 }],
				['GET', `/jobs/${jobId}/guardians/${guardianId}`],
			] as [string, string, unknown?][]) {
				const res = await other.api(method, path, body);
				expect([method, path, res.status, res.body]).toEqual([method, path, 404, unknown.body]);
			}
			expect((await f.session.api('GET', `/jobs/${jobId}/status`)).body.status).toBe('Assigned');
		});
	});

	describe('update', () => {
		it('changes the given fields, client fields flat, and answers SUCCESS', async () => {
			const jobId = await f.session.createJob({ client: { clientId: 'c-1', clientInfo: 'old' } });
			const whenDate = hoursFromNow(72);
			const res = await f.session.api('PATCH', `/jobs/${jobId}`, { name: 'Renamed', whenDate, duration: 30, clientInfo: 'new', clientPhone: '+1 (555) 010-9999' });
			expect(res.status).toBe(200);
			expect(res.body).toEqual({ code: 'SUCCESS', message: expect.any(String) });
			const { body } = await f.session.api('GET', `/jobs/${jobId}`);
			expect(body.job).toMatchObject({ name: 'Renamed', whenDate, duration: 30, client: { clientId: 'c-1', clientInfo: 'new', clientPhone: '+1 (555) 010-9999' } });
		});

		it('refuses nested client on update, naming the field', async () => {
			const jobId = await f.session.createJob();
			const res = await f.session.api('PATCH', `/jobs/${jobId}`, { client: { clientId: 'x' } });
			expect(res.status).toBe(400);
			expect(res.body.errors.map((e: { fieldName: string }) => e.fieldName)).toContain('client');
		});

		it('answers 422 CUT_OFF_EXCEEDED inside the cut-off and 422 once started', async () => {
			const jobId = await f.session.createJob();
			await control(f.sandbox, 'POST', `/jobs/${jobId}/inside-cut-off`);
			const late = await f.session.api('PATCH', `/jobs/${jobId}`, { name: 'late' });
			expect(late.status).toBe(422);
			expect(late.body).toEqual({ code: 'CUT_OFF_EXCEEDED', message: expect.stringMatching(/cut-off/) });
			const started = await f.session.createJob();
			await move(started, 'Assigned');
			await move(started, 'InProgress');
			const res = await f.session.api('PATCH', `/jobs/${started}`, { name: 'x' });
			expect(res.status).toBe(422);
			expect(res.body.code).toBe('INVALID_JOB_STATE');
		});
	});

	describe('cancel (GET)', () => {
		it('cancels a New job: 200 SUCCESS, status Canceled, and a second cancel is 422', async () => {
			const jobId = await f.session.createJob();
			const res = await f.session.api('GET', `/jobs/${jobId}/cancel`);
			expect(res.status).toBe(200);
			expect(res.body).toEqual({ code: 'SUCCESS', message: expect.any(String) });
			expect((await f.session.api('GET', `/jobs/${jobId}/status`)).body.status).toBe('Canceled');
			const again = await f.session.api('GET', `/jobs/${jobId}/cancel`);
			expect(again.status).toBe(422);
			expect(again.body.code).toBe('INVALID_JOB_STATE');
		});

		it('cancels an Assigned job and mentions the possible fee', async () => {
			const jobId = await f.session.createJob();
			await move(jobId, 'Assigned');
			const res = await f.session.api('GET', `/jobs/${jobId}/cancel`);
			expect(res.status).toBe(200);
			expect(res.body.message).toMatch(/fee/);
			const record = await f.session.api('GET', `/jobs/${jobId}`);
			expect(record.body.status).toBe('Canceled');
		});

		it('refuses inside the cut-off (422 CUT_OFF_EXCEEDED) and for InProgress/Completed jobs', async () => {
			const jobId = await f.session.createJob();
			await control(f.sandbox, 'POST', `/jobs/${jobId}/inside-cut-off`, { startsInMs: 30 * 60 * 1000 });
			const res = await f.session.api('GET', `/jobs/${jobId}/cancel`);
			expect(res.status).toBe(422);
			expect(res.body.code).toBe('CUT_OFF_EXCEEDED');
			expect((await f.session.api('GET', `/jobs/${jobId}/status`)).body.status).toBe('New');
			const done = await f.session.createJob();
			for (const to of ['Assigned', 'InProgress']) await move(done, to);
			expect((await f.session.api('GET', `/jobs/${done}/cancel`)).status).toBe(422);
			await move(done, 'Completed');
			expect((await f.session.api('GET', `/jobs/${done}/cancel`)).body.code).toBe('INVALID_JOB_STATE');
		});

		it('is a GET: DELETE on the job is 405', async () => {
			const jobId = await f.session.createJob();
			const res = await f.session.api('DELETE', `/jobs/${jobId}`);
			expect(res.status).toBe(405);
			expect(res.headers.get('allow')).toContain('GET');
		});
	});

	describe('review', () => {
		it('is refused before Completed, accepted once, refused the second time', async () => {
			const jobId = await f.session.createJob();
			const early = await f.session.api('POST', `/jobs/${jobId}/review`, { rate: 4 });
			expect(early.status).toBe(422);
			expect(early.body.code).toBe('INVALID_JOB_STATE');
			for (const to of ['Assigned', 'InProgress', 'Completed']) await move(jobId, to);
			const ok = await f.session.api('POST', `/jobs/${jobId}/review`, { rate: 4, review: 'Good' });
			expect(ok.status).toBe(200);
			expect(ok.body).toEqual({ code: 'SUCCESS', message: expect.any(String) });
			const twice = await f.session.api('POST', `/jobs/${jobId}/review`, { rate: 5 });
			expect(twice.status).toBe(422);
			expect(twice.body.message).toMatch(/already/);
			expect((await control(f.sandbox, 'GET', `/jobs/${jobId}`)).body.review).toMatchObject({ rate: 4, review: 'Good' });
		});

		it('validates rate 1..5 (integer, required) and review as text', async () => {
			const jobId = await f.session.createJob();
			for (const to of ['Assigned', 'InProgress', 'Completed']) await move(jobId, to);
			for (const body of [{}, { rate: 0 }, { rate: 6 }, { rate: 4.5 }, { rate: '4' }, { rate: 3, review: 12 }]) {
				const res = await f.session.api('POST', `/jobs/${jobId}/review`, body);
				expect(res.status).toBe(400);
				expect(res.body.code).toBe('VALIDATION_ERROR');
				expect(res.body.errors.length).toBeGreaterThan(0);
			}
			expect((await f.session.api('POST', `/jobs/${jobId}/review`, { rate: 1 })).status).toBe(200);
		});
	});

	describe('guardian profile', () => {
		it('is served for the assigned guardian with a signed, working avatar URL', async () => {
			const jobId = await f.session.createJob();
			expect((await f.session.api('GET', `/jobs/${jobId}/guardians/501`)).status).toBe(404);
			await move(jobId, 'Assigned');
			const { guardianId } = (await f.session.api('GET', `/jobs/${jobId}`)).body.guardian;
			const res = await f.session.api('GET', `/jobs/${jobId}/guardians/${guardianId}`);
			expect(res.status).toBe(200);
			expect(res.body).toEqual({
				guardianId,
				firstName: expect.any(String),
				lastName: expect.any(String),
				bio: expect.any(String),
				avatarUrl: expect.stringMatching(/expires=\d+&signature=[0-9a-f]{64}$/),
			});
			const image = await fetch(res.body.avatarUrl);
			expect(image.status).toBe(200);
			expect(image.headers.get('content-type')).toBe('image/svg+xml');
			const tampered = await fetch(res.body.avatarUrl.replace(/signature=[0-9a-f]+/, `signature=${'0'.repeat(64)}`));
			expect(tampered.status).toBe(403);
		});

		it('answers 404 for another guardian and 400 for a non-numeric id', async () => {
			const jobId = await f.session.createJob();
			await move(jobId, 'Assigned');
			const { guardianId } = (await f.session.api('GET', `/jobs/${jobId}`)).body.guardian;
			expect((await f.session.api('GET', `/jobs/${jobId}/guardians/${guardianId + 1}`)).status).toBe(404);
			expect((await f.session.api('GET', `/jobs/${jobId}/guardians/x`)).status).toBe(400);
			// still served through InProgress and Completed, gone after a withdrawal
			await move(jobId, 'InProgress');
			expect((await f.session.api('GET', `/jobs/${jobId}/guardians/${guardianId}`)).status).toBe(200);
			const other = await f.session.createJob();
			await move(other, 'Assigned');
			const gid = (await f.session.api('GET', `/jobs/${other}`)).body.guardian.guardianId;
			await control(f.sandbox, 'POST', `/jobs/${other}/withdraw`);
			expect((await f.session.api('GET', `/jobs/${other}/guardians/${gid}`)).status).toBe(404);
		});
	});

	it('needs the Bearer token on every job route', async () => {
		for (const [method, path] of [
			['POST', '/jobs'],
			['GET', '/jobs/1'],
			['PATCH', '/jobs/1'],
			['GET', '/jobs/1/status'],
			['GET', '/jobs/1/cancel'],
			['POST', '/jobs/1/review'],
			['GET', '/jobs/1/guardians/1'],
		]) {
			const res = await http(`${f.sandbox.baseUrl}${path}`, { method, body: method === 'GET' ? undefined : {} });
			expect([method, path, res.status]).toEqual([method, path, 401]);
		}
	});
});
