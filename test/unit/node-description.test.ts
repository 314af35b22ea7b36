/** The node's and the credential's public surface: names other code and workflows depend on. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import type { INodeProperties } from 'n8n-workflow';

import { G2SentryApi } from '../../credentials/G2SentryApi.credentials';
import { operations } from '../../nodes/G2Sentry/actions/router';
import { G2Sentry } from '../../nodes/G2Sentry/G2Sentry.node';
import { renderSubtitle } from '../../lab/helpers/subtitle';

const { description } = new G2Sentry();

describe('G2 Sentry node description', () => {
	it('uses the agreed names and is usable as an AI tool', () => {
		expect(description.name).toBe('g2Sentry');
		expect(description.displayName).toBe('G2 Sentry');
		expect(description.usableAsTool).toBe(true);
		expect(description.credentials).toEqual([{ name: 'g2SentryApi', required: true }]);
	});

	it('offers exactly the routed operations per resource, each with an action label', () => {
		const offered: Record<string, string[]> = {};
		for (const property of description.properties.filter((p) => p.name === 'operation')) {
			const resource = (property.displayOptions?.show?.resource as string[])[0];
			offered[resource] = (property.options as Array<{ value: string; action: string }>).map((o) => {
				expect(o.action).toMatch(/^[A-Z][a-z]/);
				return o.value;
			});
		}
		expect(Object.fromEntries(Object.entries(offered).map(([r, ops]) => [r, [...ops].sort()]))).toEqual({
			job: ['cancel', 'create', 'get', 'getStatus', 'review', 'update'],
			guardian: ['getProfile'],
		});
		for (const [resource, ops] of Object.entries(operations)) expect(Object.keys(ops).sort()).toEqual(offered[resource].sort());
	});

	it('subtitles every operation in words that name its resource, never a raw value', () => {
		const seen = new Set<string>();
		for (const [resource, ops] of Object.entries(operations)) {
			for (const operation of Object.keys(ops)) {
				const text = renderSubtitle(description.subtitle, { resource, operation });
				expect(text).toMatch(/^[A-Z][a-z]+( [A-Za-z]+)+$/);
				expect(text.toLowerCase()).toContain(resource);
				expect(text).not.toContain(operation);
				expect(text).not.toContain(':');
				seen.add(text);
			}
		}
		expect(seen.size).toBe(7);
	});

	it('requires a location when creating a job, as validation does', () => {
		const location = operations.job.create.description.find((p) => p.name === 'location');
		expect(location?.required).toBe(true);
		const updateFields = operations.job.update.description.find((p) => p.name === 'updateFields');
		expect(updateFields?.required).toBeUndefined();
	});

	it('shows every operation parameter only for its own resource and operation', () => {
		const params = description.properties.filter((p) => !['resource', 'operation'].includes(p.name));
		for (const [resource, ops] of Object.entries(operations)) {
			for (const [operation, module] of Object.entries(ops)) {
				for (const property of module.description as INodeProperties[]) {
					// '@tool' only splits a parameter into its editor and AI-tool definitions
					const { '@tool': _tool, ...show } = property.displayOptions?.show ?? {};
					expect(show).toEqual({ resource: [resource], operation: [operation] });
					expect(params).toContain(property);
				}
			}
		}
	});
});

describe('G2 Sentry node panel guides like n8n nodes do', () => {
	const shown = (module: { description: INodeProperties[] }, name: string, tool: boolean) =>
		module.description.filter((p) => p.name === name && p.displayOptions?.show?.['@tool']?.[0] !== !tool);

	it('subtitles in Title Case', () => {
		for (const [resource, ops] of Object.entries(operations)) {
			for (const operation of Object.keys(ops)) {
				const text = renderSubtitle(description.subtitle, { resource, operation });
				expect(text.split(' ').every((word) => /^[A-Z]/.test(word))).toBe(true);
			}
		}
	});

	it('defaults Job ID to the incoming jobId in every operation, and leaves it to the agent in a tool', () => {
		for (const [resource, ops] of Object.entries(operations)) {
			for (const [operation, module] of Object.entries(ops)) {
				if (operation === 'create') continue;
				const [editor] = shown(module, 'jobId', false);
				const [agent] = shown(module, 'jobId', true);
				expect([resource, operation, editor.default]).toEqual([resource, operation, '={{ $json.jobId }}']);
				expect(agent.default).toMatch(/^=\{\{ \$fromAI\('jobId', '[^']+', 'number'\) \}\}$/);
				expect(agent.displayOptions?.show?.['@tool']).toEqual([true]);
				expect(editor.displayOptions?.show?.['@tool']).toEqual([false]);
			}
		}
	});

	it('in a tool, the rating and the Guardian are the agent\'s, never a preset 5 or the incoming item', () => {
		const [rate] = shown(operations.job.review, 'rate', true);
		expect(rate.default).toMatch(/^=\{\{ \$fromAI\('rate', '.*1 \(poor\) to 5 \(excellent\).*', 'number'\) \}\}$/);
		expect(shown(operations.job.review, 'rate', false)[0].default).toBe(5);
		const [review] = shown(operations.job.review, 'review', true);
		expect(review.default).toMatch(/^=\{\{ \$fromAI\('review', '.+', 'string', ''\) \}\}$/);
		const [guardianId] = shown(operations.guardian.getProfile, 'guardianId', true);
		expect(guardianId.default).toMatch(/^=\{\{ \$fromAI\('guardianId', '.+', 'number'\) \}\}$/);
		expect(String(shown(operations.guardian.getProfile, 'guardianId', false)[0].default)).toContain('$json');
	});

	it('warns on Create against Retry On Fail', () => {
		const notice = operations.job.create.description.find((p) => p.name === 'retryOnFailNotice')!;
		expect(notice.type).toBe('notice');
		expect(notice.displayName).toMatch(/Retry On Fail.+book a Guardian twice/);
	});

	it('starts GPS empty, not at 0, 0', () => {
		const location = operations.job.create.description.find((p) => p.name === 'location')!;
		const gps = (location.options as Array<{ name: string; values: INodeProperties[] }>).find((o) => o.name === 'gps')!;
		for (const field of gps.values) {
			expect(field.default).toBe('');
			expect(field.placeholder).toMatch(/^e\.g\. -?\d+\.\d+$/);
		}
	});

	it('lists both nodes in categories from n8n\'s list that fit', () => {
		for (const file of ['G2Sentry/G2Sentry.node.json', 'G2SentryTrigger/G2SentryTrigger.node.json']) {
			const codex = JSON.parse(readFileSync(join(__dirname, '../../nodes', file), 'utf8'));
			expect(codex.categories).toEqual(['Sales', 'Productivity']);
		}
	});
});

describe('G2 Sentry API credential', () => {
	const credential = new G2SentryApi();

	it('has the agreed property names, tokens hidden and the access token expirable', () => {
		const byName = Object.fromEntries(credential.properties.map((p) => [p.name, p]));
		expect(Object.keys(byName)).toEqual([
			'environment',
			'baseUrl',
			'partnerKey',
			'partnerSecret',
			'callbackSecret',
			'previousCallbackSecret',
			'previousCallbackSecretValidUntil',
			'requestsPerMinute',
			'accessToken',
			'refreshToken',
		]);
		expect(byName.accessToken).toMatchObject({ type: 'hidden', typeOptions: { expirable: true, password: true } });
		expect(byName.refreshToken).toMatchObject({ type: 'hidden', typeOptions: { password: true } });
		expect(byName.refreshToken.typeOptions?.expirable).toBeUndefined();
		for (const secret of ['partnerSecret', 'callbackSecret', 'previousCallbackSecret']) {
			expect(byName[secret].typeOptions?.password).toBe(true);
		}
		expect((byName.environment.options as Array<{ value: string }>).map((o) => o.value)).toEqual(['demo', 'production', 'custom']);
		expect(byName.baseUrl.displayOptions).toEqual({ show: { environment: ['custom'] } });
	});

	it('authenticates with a Bearer header built from the stored access token, without an expression', async () => {
		expect(typeof credential.authenticate).toBe('function');
		const authenticate = credential.authenticate as (c: object, r: object) => Promise<{ headers?: Record<string, string>; url: string }>;
		const signed = await authenticate({ accessToken: 'tok-1' }, { url: 'https://x.test/jobs', headers: { accept: 'application/json' } });
		expect(signed).toEqual({ url: 'https://x.test/jobs', headers: { accept: 'application/json', Authorization: 'Bearer tok-1' } });
		expect((await authenticate({}, { url: 'https://x.test/jobs' })).headers).toEqual({ Authorization: 'Bearer ' });
	});
});

describe('documentation links', () => {
	/** GitHub/npm heading ids: lower case, punctuation dropped, spaces to hyphens. */
	const slug = (heading: string) => heading.toLowerCase().replace(/[^\w\- ]/g, '').replace(/ /g, '-');
	const readme = readFileSync(join(__dirname, '../../README.md'), 'utf8');
	const anchors = new Set([...readme.matchAll(/^#{1,6} (.+)$/gm)].map((m) => slug(m[1].trim())));
	/** Every link in a node's codex file (credential and primary documentation). */
	const codexLinks = (file: string): string[] => {
		const codex = JSON.parse(readFileSync(join(__dirname, '../../nodes', file), 'utf8'));
		return Object.values(codex.resources as Record<string, Array<{ url: string }>>).flatMap((list) => list.map((r) => r.url));
	};
	const links: string[] = [
		new G2SentryApi().documentationUrl,
		...codexLinks('G2Sentry/G2Sentry.node.json'),
		...codexLinks('G2SentryTrigger/G2SentryTrigger.node.json'),
	];

	it('covers both codex files (each links its credential and its own section)', () => {
		expect(links).toHaveLength(5);
	});

	it.each(links)('%s lands on a README heading', (url) => {
		const [, anchor] = url.split('#');
		expect(anchors).toContain(anchor);
	});
});
