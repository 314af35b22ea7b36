// The one-call setup the demo and the e2e suite share: a fresh n8n with this package installed
// from its packed tarball, a G2 Sentry credential pointing at a sandbox, workflows imported, some
// published, and n8n started with every published G2 Sentry trigger and n8n form registered.
import fs from 'node:fs';
import path from 'node:path';

import { CREDENTIAL_TYPE } from '../../../credentials/G2SentryApi.credentials';
import { N8nInstance } from './n8n-instance';
import type { N8nOwner } from './n8n-versions';
import { buildAndPack, installCommunityPackage } from './package';
import { formUrl, TRIGGER_NODE, triggerUrl, useCredential, withWebhookIds, type CredentialRef, type Workflow } from './workflows';

export * from './executions';
export * from './mailbox';
export * from './session';
export * from './n8n-instance';
export * from './package';
export { capabilitiesOf, restSession, type N8nCapabilities, type N8nOwner } from './n8n-versions';
export { freePort } from './processes';
export * from './workflows';

/** What the credential needs from a sandbox (its `Sandbox` object has all of these). */
export interface SandboxAccess {
	baseUrl: string;
	partner: { partnerKey: string; partnerSecret: string };
	callbackSecret: string;
}

export interface StartOptions {
	sandbox: SandboxAccess;
	/** n8n version to run (see lab/n8n-runtime.js); G2S_N8N_VERSION or the default when omitted. */
	version?: string;
	workflows?: Workflow[];
	/** Ids of workflows to publish (activate) before n8n starts. */
	publish?: string[];
	owner?: N8nOwner;
	port?: number;
	userFolder?: string;
	/** A tarball already packed (skips build + pack). */
	tarball?: string;
	credential?: CredentialRef;
	/** More credential records (see credentialRecord; an SMTP or chat-model one) imported beside it; G2 Sentry nodes that
	 * already name one of them keep it, all others get `credential`. */
	moreCredentials?: Array<{ id: string } & Record<string, unknown>>;
	log?: (message: string) => void;
	/** How long `n8n start` may take to become ready (default 120 s; a busy machine needs more). */
	startTimeoutMs?: number;
	/** Extra environment for every n8n command (after the harness's own). */
	env?: Record<string, string>;
}

export interface StartedN8n {
	n8n: N8nInstance;
	credential: CredentialRef;
	tarball: string;
	/** Production URLs of the published G2 Sentry triggers, by workflow id. */
	triggerUrls: Record<string, string>;
	/** Production URLs of the published n8n forms, by workflow id. */
	formUrls: Record<string, string>;
}

export const DEFAULT_CREDENTIAL: CredentialRef = { id: 'g2sSandboxCred01', name: 'G2 Sentry sandbox' };

export function credentialRecord(credential: CredentialRef, sandbox: SandboxAccess): { id: string } & Record<string, unknown> {
	return {
		id: credential.id,
		name: credential.name,
		type: CREDENTIAL_TYPE,
		data: {
			environment: 'custom',
			baseUrl: sandbox.baseUrl,
			partnerKey: sandbox.partner.partnerKey,
			partnerSecret: sandbox.partner.partnerSecret,
			callbackSecret: sandbox.callbackSecret,
		},
	};
}

export async function startN8nWithPackage(options: StartOptions): Promise<StartedN8n> {
	const log = options.log ?? (() => {});
	const credential = options.credential ?? DEFAULT_CREDENTIAL;
	// without a log of its own the runtime still reports a first install (minutes) on stderr
	const n8n = new N8nInstance({
		version: options.version,
		owner: options.owner,
		port: options.port,
		userFolder: options.userFolder,
		log: options.log,
		env: options.env,
	});
	try {
		await n8n.prepare();
		let tarball = options.tarball;
		if (!tarball) {
			log('building and packing n8n-nodes-g2sentry');
			// packed inside the user folder, so it goes away with it
			tarball = await buildAndPack(fs.mkdtempSync(path.join(n8n.userFolder, 'pack-')));
		}
		log('installing the package into n8n as a community package');
		await installCommunityPackage(n8n.userFolder, tarball);
		log('importing the credential and workflows');
		const more = options.moreCredentials ?? [];
		await n8n.importCredentials([credentialRecord(credential, options.sandbox), ...more]);
		const keep = new Set(more.map((record) => record.id));
		const workflows = (options.workflows ?? []).map((wf) => withWebhookIds(useCredential(wf, credential, keep)));
		if (workflows.length) await n8n.importWorkflows(workflows);
		for (const id of options.publish ?? []) await n8n.publishWorkflow(id);
		log('starting n8n');
		await n8n.start(options.startTimeoutMs);
		// versions that cannot create the owner from env get it through the owner set-up now
		if (options.owner) await n8n.ownerSession();
		const triggerUrls: Record<string, string> = {};
		const formUrls: Record<string, string> = {};
		for (const wf of workflows) {
			if (!(options.publish ?? []).includes(wf.id)) continue;
			if (wf.nodes.some((node) => node.type === TRIGGER_NODE)) {
				triggerUrls[wf.id] = triggerUrl(n8n.baseUrl, wf);
				await n8n.waitForWebhook(triggerUrls[wf.id]);
			}
			// n8n registers webhooks after its readiness probe: a test must not POST before
			for (const node of wf.nodes.filter((n) => n.type === 'n8n-nodes-base.webhook' && !n.disabled)) {
				await n8n.waitForWebhook(`${n8n.baseUrl}/webhook/${String(node.parameters.path)}`);
			}
			const form = formUrl(n8n.baseUrl, wf);
			if (form) {
				formUrls[wf.id] = form;
				await n8n.waitForForm(form);
			}
		}
		return { n8n, credential, tarball, triggerUrls, formUrls };
	} catch (error) {
		await n8n.dispose();
		throw error;
	}
}
