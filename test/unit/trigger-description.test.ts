import { existsSync } from 'node:fs';
import { join } from 'node:path';

import type { INodeProperties } from 'n8n-workflow';

import { G2SentryTrigger } from '../../nodes/G2SentryTrigger/G2SentryTrigger.node';
import { CALLBACK_EVENTS } from '../../nodes/shared/contract';
import { DEFAULT_LIMITS, MIN_RETENTION_MS } from '../../nodes/G2SentryTrigger/events';
import { renderSubtitle } from '../../lab/helpers/subtitle';
import { MAX_CALLBACK_BYTES } from '../../nodes/G2SentryTrigger/payload';

const HOUR_MS = 60 * 60 * 1000;
const { description, webhookMethods } = new G2SentryTrigger();
const property = (name: string) => description.properties.find((p) => p.name === name)!;
const option = (name: string) => (property('options').options as INodeProperties[]).find((o) => o.name === name)!;

describe('G2 Sentry Trigger description', () => {
	it('follows n8n trigger conventions', () => {
		expect(description.name).toBe('g2SentryTrigger');
		expect(description.displayName).toBe('G2 Sentry Trigger');
		expect(description.inputs).toEqual([]);
		expect(description.outputs).toEqual(['main']);
		expect(description.group).toEqual(['trigger']);
		expect(description.usableAsTool).toBeUndefined();
		expect(description.credentials).toEqual([{ name: 'g2SentryApi', required: true }]);
		expect(description.webhooks).toEqual([
			{ name: 'default', httpMethod: 'POST', responseMode: 'onReceived', path: 'g2sentry' },
		]);
		expect(Object.keys(webhookMethods.default).sort()).toEqual(['checkExists', 'create', 'delete']);
	});

	it('has two different themed icons that exist beside the node', () => {
		const icon = description.icon as { light: string; dark: string };
		expect(icon.light).not.toBe(icon.dark);
		for (const file of [icon.light, icon.dark]) {
			expect(file).toMatch(/^file:.+\.svg$/);
			expect(existsSync(join(__dirname, '../../nodes/G2SentryTrigger', file.slice('file:'.length)))).toBe(true);
		}
	});

	it('explains where the production URL goes', () => {
		const notice = property('setupNotice');
		expect(notice.type).toBe('notice');
		expect(notice.displayName).toMatch(/Production URL/);
		expect(notice.displayName).toMatch(/HTTPS/);
		expect(notice.displayName).toMatch(/Test URL/);
	});

	it('says how large a callback may be, and that n8n buffers up to N8N_PAYLOAD_SIZE_MAX first', () => {
		const notice = property('setupNotice').displayName;
		expect(notice).toContain(`${MAX_CALLBACK_BYTES / 1024} KiB`);
		expect(notice).toContain('N8N_PAYLOAD_SIZE_MAX');
	});

	it('warns in the panel what possibleRepeat means and what to do', () => {
		const notice = property('possibleRepeatNotice');
		expect(notice.type).toBe('notice');
		expect(notice.displayName).toMatch(/possibleRepeat: true/);
		expect(notice.displayName).toMatch(/branch on it and check the job with Get Status/);
	});

	it('subtitles the chosen events by their labels, never the wire names', () => {
		const labels = Object.fromEntries(
			(property('events').options as Array<{ name: string; value: string }>).map((o) => [o.value, o.name]),
		);
		const on = (events: unknown) => renderSubtitle(description.subtitle, { events });
		expect(on([])).toBe('On All Job Events');
		expect(on([...CALLBACK_EVENTS])).toBe('On All Job Events');
		expect(on(['JobWithdrawed'])).toBe(`On ${labels.JobWithdrawed}`);
		expect(labels.JobWithdrawed).toBe('Job Withdrawn');
		expect(on(['JobAssigned', 'JobCompleted'])).toBe(`On ${labels.JobAssigned}, ${labels.JobCompleted}`);
		for (const event of CALLBACK_EVENTS) expect(on([event])).toBe(`On ${labels[event]}`);
	});

	it('gives the safe way to test in the trigger panel, published or not: a signed sample, never the live profile', () => {
		const help = (description.triggerPanel as { executionsHelp: { active: string; inactive: string } }).executionsHelp;
		for (const text of [help.inactive, help.active]) {
			expect(text).toMatch(/Execute step.+send a signed sample event to the <b>Test URL<\/b> yourself/);
			expect(text).toMatch(/pin sample data/);
			expect(text).toMatch(/Never put the Test URL in your live partner profile/);
			expect(text).toMatch(/separate development profile/);
			expect(text).not.toMatch(/set it as the callback URL|Put the Production URL back/);
			expect(text).toMatch(/Production URL/);
			expect(text).toContain('data-key="executions"');
		}
		expect(help.inactive).toMatch(/publish the workflow/);
		expect(help.active).toMatch(/is published/);
	});

	it('describes the actions too, as n8n lists it with the G2 Sentry node as one entry', () => {
		expect(description.description).toMatch(/^Book security Guardians/);
		expect(description.description).toMatch(/accepts, starts, completes or withdraws/);
	});

	it('keeps its literal defaults in step with the event store', () => {
		expect(property('events').default).toEqual([...CALLBACK_EVENTS]);
		const retention = option('retentionHours');
		expect((retention.default as number) * HOUR_MS).toBe(DEFAULT_LIMITS.maxAgeMs);
		expect((retention.typeOptions!.minValue as number) * HOUR_MS).toBe(MIN_RETENTION_MS);
		expect(option('dropStale').default).toBe(false);
		expect(option('emitUnknownEvents').default).toBe(false);
		expect(option('includeJob').default).toBe(false);
	});
});
