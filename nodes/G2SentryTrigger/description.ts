import type { INodeProperties, TriggerPanelDefinition } from 'n8n-workflow';

import { CALLBACK_EVENTS } from '../shared/contract';
import { MAX_CALLBACK_BYTES } from './payload';
import { MAX_REPLAYS, REPLAY_WINDOW_MS } from './replay';
const EVENT_OPTIONS: Array<{ name: string; value: string; description: string }> = [
	{ name: 'Job Assigned', value: 'JobAssigned', description: 'A Guardian accepted the job' },
	{ name: 'Job Started', value: 'JobStarted', description: 'The Guardian started the shift' },
	{ name: 'Job Completed', value: 'JobCompleted', description: 'The Guardian closed the shift' },
	{
		name: 'Job Withdrawn',
		value: 'JobWithdrawed',
		description:
			'The Guardian withdrew before the cut-off and the job is open again (G2 Sentry may also send it for a cancellation)',
	},
];

const BUILDING =
	'<b>While you build the workflow</b>, click "Execute step" and send a signed sample event to the <b>Test URL</b> yourself (the README has a copy-paste command and a sample per event), or pin sample data. Never put the Test URL in your live partner profile: its one callback URL serves every job, and live events sent there are lost. If G2 Sentry gave you a separate development profile, that one may point at the Test URL.';
const LIVE =
	'every job event sent to the <b>Production URL</b> starts an execution. Those appear in the <a data-key="executions">executions list</a>, not in the editor.';

/**
 * The help under "When will this node trigger my flow?". n8n's generic text says "make an event
 * happen in G2 Sentry"; but the partner profile has one callback URL for every job, so pointing it
 * at the Test URL would divert live callbacks: the safe way is a signed sample sent by the user.
 */
export const triggerPanel: TriggerPanelDefinition = {
	executionsHelp: {
		inactive: `${BUILDING}<br /><br /><b>When it works</b>, make sure the portal has the Production URL and publish the workflow: ${LIVE}`,
		active: `${BUILDING}<br /><br /><b>The workflow is published</b>: ${LIVE}`,
	},
};

export const triggerProperties: INodeProperties[] = [
	{
		displayName:
			'Copy this node\'s <b>Production URL</b> (under "Webhook URLs" above) into the G2 Sentry partner portal as your callback URL, and the portal\'s callback secret into the credential. The portal accepts only HTTPS addresses reachable from the internet, so n8n must run behind one (or a tunnel). The Production URL receives callbacks once the workflow is published; the <b>Test URL</b> only while you test this trigger in the editor ("Execute step"). ' +
			`A callback larger than ${MAX_CALLBACK_BYTES / 1024} KiB is refused (413); n8n itself reads a request body up to its N8N_PAYLOAD_SIZE_MAX (16 MiB by default) before this node can check it.`,
		name: 'setupNotice',
		type: 'notice',
		default: '',
	},
	{
		displayName:
			'Items with <b>possibleRepeat: true</b> are identical to an earlier event of the same job (a second withdrawal, or the same Guardian assigned again) and may be a late retry of it. Where acting twice matters, such as an email to the client, branch on it and check the job with Get Status.',
		name: 'possibleRepeatNotice',
		type: 'notice',
		default: '',
	},
	{
		displayName: 'Events',
		name: 'events',
		type: 'multiOptions',
		options: EVENT_OPTIONS,
		default: [...CALLBACK_EVENTS],
		description:
			'Which events start the workflow. Other events are acknowledged and start nothing. Leave empty for all four.',
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [
			{
				displayName: 'Catch Up Missed Events',
				name: 'catchUp',
				type: 'boolean',
				default: true,
				description:
					'Whether to ask G2 Sentry, when the workflow is published or n8n starts and then every Catch-Up Interval, for the status of the jobs this trigger has heard of that are not completed or canceled, and to emit the events it missed (marked "recovered": true) once. Uses at most a quarter of the partner key\'s requests per minute. Jobs it never heard of cannot be caught up.',
			},
			{
				displayName: 'Catch-Up Interval (Minutes)',
				name: 'catchUpIntervalMinutes',
				type: 'number',
				typeOptions: { minValue: 0 },
				default: 10,
				description: 'How often to catch up while the workflow is published. 0 catches up only when it is published or n8n starts.',
			},
			{
				displayName: 'Drop Stale Events',
				name: 'dropStale',
				type: 'boolean',
				default: false,
				description:
					'Whether to skip events older than what was already received for the job (callbacks arrive out of order). When off, such events are emitted with "stale": true.',
			},
			{
				displayName: 'Emit Unknown Event Types',
				name: 'emitUnknownEvents',
				type: 'boolean',
				default: false,
				description:
					'Whether to start the workflow for signed event types this node does not know yet (G2 Sentry may add events). When off they are acknowledged and ignored.',
			},
			{
				displayName: 'Include Job Record',
				name: 'includeJob',
				type: 'boolean',
				default: false,
				description:
					'Whether to fetch the job\'s full record (address, schedule, assigned Guardian) from G2 Sentry and add it as "job". The callback is acknowledged first; if the lookup fails, "job" is null and "jobError" says why. Needs the partner key and secret in the credential.',
			},
			{
				displayName: 'Re-Run Recent Events After a Restart',
				name: 'replayAfterRestart',
				type: 'boolean',
				default: true,
				description:
					`Whether to run again the events this trigger received in the last ${REPLAY_WINDOW_MS / 1000} seconds before n8n stopped, when n8n starts again (in queue mode also when a webhook process or the main starts). n8n confirms an event to G2 Sentry before it stores the run, so a crash can lose it; these re-runs bring it back. They are marked "possibleRepeat": true and "recovered": true, with "recoveredBecause": "restart", and happen after a clean restart too, when the events most likely ran already; if n8n stops again within ${REPLAY_WINDOW_MS / 1000} seconds, they are run again (at most ${MAX_REPLAYS} times in all). No API request is made; "jobName" and "guardianPhone" are null in them.`,
			},
			{
				displayName: 'Remember Deliveries For (Hours)',
				name: 'retentionHours',
				type: 'number',
				// literals (linters read them); the unit tests tie them to DEFAULT_LIMITS/MIN_RETENTION_MS
				typeOptions: { minValue: 2 },
				default: 168,
				description:
					'How long a job is remembered after its last callback, to drop redeliveries and flag stale events. G2 Sentry retries for over an hour, so at least 2 hours.',
			},
		],
	},
];
