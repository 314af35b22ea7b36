/**
 * R6 bad input: a table of malformed parameter sets across every operation (plus generated bad
 * ids), each run through n8n-core against a sandbox: a clear error naming the field, and not a
 * single request (not even a login) in the sandbox's request log.
 */
import fc from 'fast-check';
import type { IDataObject, INodeParameters } from 'n8n-workflow';

import { G2Sentry } from '../../nodes/G2Sentry/G2Sentry.node';
import { startSandbox } from '../../lab/sandbox';
import { executeNode } from '../../lab/helpers/execute-node';
import { http } from '../../lab/helpers/sandboxClient';
import { credentialsFor } from '../../lab/helpers/action-setup';
import { evidence, keepErrors } from './evidence';
import { report, seedOf, sized, timer } from './figures';

const inHours = (h: number) => new Date(Date.now() + h * 3_600_000).toISOString();
const address = { address1: '12 Main St', city: 'New York', state: 'NY', zip: '10001' };
const create = (o: INodeParameters): INodeParameters => ({
	resource: 'job',
	operation: 'create',
	name: 'Open house',
	whenDate: inHours(48),
	duration: 120,
	location: { address },
	...o,
});
const update = (fields: INodeParameters): INodeParameters => ({ resource: 'job', operation: 'update', jobId: '7', updateFields: fields });
const job = (operation: string, o: INodeParameters = {}): INodeParameters => ({ resource: 'job', operation, jobId: '7', ...o });

/** [what, parameters, input item, API field the error must name, label the user sees] */
type Row = [string, INodeParameters, Record<string, unknown>, string, string];
const TABLE: Row[] = [
	['create: name empty', create({ name: '' }), {}, 'name', 'Name'],
	['create: name 300 emoji', create({ name: '🛡️'.repeat(300) }), {}, 'name', 'Name'],
	['create: name an object from an expression', create({ name: '={{ $json.o }}' }), { o: { a: 1 } }, 'name', 'Name'],
	['create: name an array', create({ name: '={{ [1,2] }}' }), {}, 'name', 'Name'],
	['create: start in the past', create({ whenDate: inHours(-3) }), {}, 'whenDate', 'Scheduled Start'],
	['create: start inside the 2 h cut-off', create({ whenDate: inHours(1) }), {}, 'whenDate', 'Scheduled Start'],
	['create: start as words', create({ whenDate: 'next Tuesday' }), {}, 'whenDate', 'Scheduled Start'],
	['create: start 31 February', create({ whenDate: '2031-02-31T10:00:00Z' }), {}, 'whenDate', 'Scheduled Start'],
	['create: start a number from an expression', create({ whenDate: '={{ 12 }}' }), {}, 'whenDate', 'Scheduled Start'],
	['create: duration 0', create({ duration: 0 }), {}, 'duration', 'Duration (Minutes)'],
	['create: duration negative', create({ duration: -30 }), {}, 'duration', 'Duration (Minutes)'],
	['create: duration Infinity', create({ duration: '={{ Infinity }}' }), {}, 'duration', 'Duration (Minutes)'],
	['create: duration text "ninety"', create({ duration: '={{ "ninety" }}' }), {}, 'duration', 'Duration (Minutes)'],
	['create: duration boolean', create({ duration: '={{ true }}' }), {}, 'duration', 'Duration (Minutes)'],
	['create: no location', create({ location: {} }), {}, 'location', 'Location'],
	['create: state lower-case', create({ location: { address: { ...address, state: 'ny' } } }), {}, 'location.address.state', 'State'],
	['create: state unicode', create({ location: { address: { ...address, state: 'ÑY' } } }), {}, 'location.address.state', 'State'],
	['create: ZIP in Arabic-Indic digits', create({ location: { address: { ...address, zip: '١٠٠٠١' } } }), {}, 'location.address.zip', 'ZIP Code'],
	['create: ZIP 4 digits', create({ location: { address: { ...address, zip: '1000' } } }), {}, 'location.address.zip', 'ZIP Code'],
	['create: city empty', create({ location: { address: { ...address, city: ' ' } } }), {}, 'location.address.city', 'City'],
	['create: latitude 91', create({ location: { gps: { latitude: 91, longitude: 0 } } }), {}, 'location.gps.latitude', 'Latitude'],
	['create: longitude -180.5', create({ location: { gps: { latitude: 0, longitude: -180.5 } } }), {}, 'location.gps.longitude', 'Longitude'],
	['create: latitude text from an expression', create({ location: { gps: { latitude: '={{ $json.lat }}', longitude: 0 } } }), { lat: 'north' }, 'location.gps.latitude', 'Latitude'],
	// (a phone's format is G2 Sentry's to judge: the contract states none, so the node sends text)
	['create: client phone an object', create({ additionalFields: { clientPhone: '={{ { n: 5 } }}' } }), {}, 'client.clientPhone', 'Client Phone'],
	['create: client id an array', create({ additionalFields: { clientId: '={{ [1] }}' } }), {}, 'client.clientId', 'Client ID'],
	['create: description an object', create({ additionalFields: { description: '={{ { x: 1 } }}' } }), {}, 'description', 'Description'],
	['get: job id empty', job('get', { jobId: '' }), {}, 'jobId', 'Job ID'],
	['get: job id 1 MB of digits', job('get', { jobId: '={{ $json.big }}' }), { big: '9'.repeat(1_000_000) }, 'jobId', 'Job ID'],
	['getStatus: job id null from an expression', job('getStatus', { jobId: '={{ null }}' }), {}, 'jobId', 'Job ID'],
	['getStatus: job id in full-width digits', job('getStatus', { jobId: '１２３' }), {}, 'jobId', 'Job ID'],
	['cancel: job id negative', job('cancel', { jobId: '={{ -7 }}' }), {}, 'jobId', 'Job ID'],
	['cancel: job id 2^53', job('cancel', { jobId: '9007199254740993' }), {}, 'jobId', 'Job ID'],
	['update: nothing to update', update({}), {}, 'updateFields', 'Update Fields'],
	['update: duration 1.5', update({ duration: 1.5 }), {}, 'duration', 'Duration (Minutes)'],
	// blank text counts as "not given" on update, so nothing is left to update
	['update: name only spaces', update({ name: '   ' }), {}, 'updateFields', 'Update Fields'],
	['update: start 30 April 31st', update({ whenDate: '2031-04-31T10:00:00Z' }), {}, 'whenDate', 'Scheduled Start'],
	['update: start inside the cut-off', update({ whenDate: inHours(0.5) }), {}, 'whenDate', 'Scheduled Start'],
	['update: location empty', update({ location: {} }), {}, 'location', 'Location'],
	['update: job id "12abc"', { ...update({ duration: 30 }), jobId: '12abc' }, {}, 'jobId', 'Job ID'],
	['review: rating 0', job('review', { rate: 0 }), {}, 'rate', 'Rating'],
	['review: rating 6', job('review', { rate: 6 }), {}, 'rate', 'Rating'],
	['review: rating 4.5', job('review', { rate: 4.5 }), {}, 'rate', 'Rating'],
	['review: rating "five"', job('review', { rate: '={{ "five" }}' }), {}, 'rate', 'Rating'],
	['review: review text an object', job('review', { rate: 5, review: '={{ { a: 1 } }}' }), {}, 'review', 'Review'],
	['getProfile: guardian id empty', { resource: 'guardian', operation: 'getProfile', jobId: '7', guardianId: '' }, {}, 'guardianId', 'Guardian ID'],
	['getProfile: guardian id 0x10', { resource: 'guardian', operation: 'getProfile', jobId: '7', guardianId: '0x10' }, {}, 'guardianId', 'Guardian ID'],
	['getProfile: job id 1e3', { resource: 'guardian', operation: 'getProfile', jobId: '1e3', guardianId: '5' }, {}, 'jobId', 'Job ID'],
];

/** Generated ids that are not positive whole numbers (as expressions and spreadsheets produce them). */
const badId = fc.oneof(
	fc.string({ maxLength: 12 }).filter((s) => !/^\s*\d+\s*$/.test(s) || /^\s*0*\s*$/.test(s)),
	fc.integer({ max: 0 }).map((n) => `={{ ${n} }}`),
	fc.double({ noInteger: true, noDefaultInfinity: true, noNaN: true }).map((n) => `={{ ${n} }}`),
	fc.constantFrom('={{ NaN }}', '={{ {} }}', '={{ [] }}', '={{ true }}', '1_000', '+5', '٣', '１'),
);

export function defineR6(): void {
	describe('R6 bad input', () => {
		it('every malformed parameter set is refused naming its field, and nothing is sent', async () => {
			const elapsed = timer();
			const sandbox = await startSandbox({ autoDispatch: false });
			evidence.sandboxes.push(sandbox);
			const credentials = credentialsFor(sandbox.baseUrl, { partnerKey: sandbox.partner.partnerKey, partnerSecret: sandbox.partner.partnerSecret });
			const generated = fc.sample(fc.record({ op: fc.constantFrom('get', 'getStatus', 'cancel'), id: badId }), { seed: seedOf('R6'), numRuns: sized(100, 40) });
			const rows: Row[] = [
				...TABLE,
				...generated.map(({ op, id }): Row => [`${op}: generated job id ${JSON.stringify(id)}`, job(op, { jobId: id }), {}, 'jobId', 'Job ID']),
			];
			const misses: string[] = [];
			for (const [what, parameters, item, field, label] of rows) {
				let error: { message?: string; context?: { fieldErrors?: Array<{ fieldName: string }> } } | undefined;
				let named: boolean;
				try {
					const result = await executeNode({ nodeType: new G2Sentry(), parameters, items: [item as IDataObject], credentials });
					keepErrors(result);
					error = result.error as typeof error;
					named = error?.context?.fieldErrors?.some((e) => e.fieldName === field) ?? false;
				} catch (thrown) {
					// n8n itself refuses a required parameter left empty before the node runs (as the
					// editor does), naming the parameter by its label
					error = thrown as typeof error;
					named = /has issues/.test(error?.message ?? '') && (error?.message ?? '').includes(`Parameter "${label}"`);
					if (named) error = { message: `Cannot run: ${error!.message}` };
				}
				const clear = typeof error?.message === 'string' && error.message.startsWith('Cannot ') && error.message.includes(label) && error.message.length < 400;
				if (!named || !clear) misses.push(`${what}: ${error?.message ?? 'no error'} ${JSON.stringify(error?.context?.fieldErrors ?? [])}`.slice(0, 300));
			}
			const requests = (await http(`${sandbox.controlUrl}/requests`)).body as unknown[];
			const pass = misses.length === 0 && requests.length === 0 && TABLE.length >= 30;
			report({
				id: 'R6',
				title: 'bad input',
				target: '≥30 malformed parameter sets across every operation: each a clear error naming the field, 0 requests sent',
				result: `${rows.length} sets (${TABLE.length} in the table, ${generated.length} generated ids) over create/get/getStatus/update/cancel/review/getProfile: ${rows.length - misses.length} named their field clearly, ${misses.length} did not; ${requests.length} requests reached the sandbox`,
				pass,
				size: `${rows.length} parameter sets`,
				durationMs: elapsed(),
			});
			if (!pass) throw new Error(`R6 missed its target:\n${misses.slice(0, 10).join('\n')}`);
		});
	});
}
