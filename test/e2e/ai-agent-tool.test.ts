/**
 * End to end: the G2 Sentry node used as a tool by n8n's AI Agent, in a real n8n with the packed
 * package installed. The chat model is n8n's OpenAI Chat Model pointed (through its credential's
 * Base URL) at a scripted OpenAI-compatible server on loopback: no real model. The script asks for
 * Get Status on a job, then for a Create whose fields the tool takes from the model ($fromAI),
 * then ends with a message that quotes what the tools answered. The sandbox must have seen both
 * calls, and the job the model described must exist there.
 */
import { startSandbox, type Sandbox } from '../../lab/sandbox';
import {
	ACTION_TOOL_NODE,
	nodeRan,
	startN8nWithPackage,
	webhookChain,
	type StartedN8n,
	type WorkflowNode,
} from '../../lab/helpers/harness';
import { startScriptedChatModel, toolNamed, toolResults, type ScriptedChatModel } from '../../lab/helpers/scripted-chat-model';
import { control, createJobDirectly, postJson, SETUP_TIMEOUT_MS, TEST_TIMEOUT_MS, waitForExecutions } from '../../lab/helpers/e2e';

const fromAI = (key: string, description: string, type = 'string') => `={{ $fromAI('${key}', '${description}', '${type}') }}`;
const openAiCredential = { id: 'scriptedModel001', name: 'Scripted chat model' };
const owner = { email: 'e2e-agent-owner@example.com', password: 'E2e-agent-pass1' };

function agentWorkflow(): ReturnType<typeof webhookChain> {
	const wf = webhookChain('e2eAgentTool0001', 'e2e-agent', [
		{
			name: 'AI Agent',
			type: '@n8n/n8n-nodes-langchain.agent',
			typeVersion: 3.1,
			position: [0, 0],
			parameters: { promptType: 'define', text: '={{ $json.body.prompt }}', options: {} },
		},
	]);
	const tool = (name: string, parameters: Record<string, unknown>, x: number): WorkflowNode => ({
		name,
		type: ACTION_TOOL_NODE,
		typeVersion: 1,
		position: [x, 220],
		parameters,
	});
	wf.nodes.push(
		{
			name: 'Scripted Chat Model',
			type: '@n8n/n8n-nodes-langchain.lmChatOpenAi',
			// 1.2 talks Chat Completions (1.3 defaults to the Responses API)
			typeVersion: 1.2,
			position: [0, 220],
			parameters: { model: { __rl: true, mode: 'id', value: 'scripted-model' }, options: {} },
			credentials: { openAiApi: openAiCredential },
		},
		tool('Job status', { resource: 'job', operation: 'getStatus', jobId: fromAI('jobId', 'The G2 Sentry job ID', 'number') }, 220),
		tool(
			'Book a Guardian',
			{
				resource: 'job',
				operation: 'create',
				name: fromAI('name', 'Short name of the job'),
				whenDate: fromAI('whenDate', 'Start, ISO-8601 UTC'),
				duration: fromAI('duration', 'Length in minutes', 'number'),
				location: {
					address: {
						address1: fromAI('address1', 'Street address'),
						city: fromAI('city', 'City'),
						state: fromAI('state', 'Two-letter state'),
						zip: fromAI('zip', 'ZIP code'),
					},
				},
				additionalFields: {},
			},
			440,
		),
	);
	const into = (type: string) => ({ [type]: [[{ node: 'AI Agent', type, index: 0 }]] });
	wf.connections['Scripted Chat Model'] = into('ai_languageModel');
	wf.connections['Job status'] = into('ai_tool');
	wf.connections['Book a Guardian'] = into('ai_tool');
	return wf;
}

/** The items a tool handed back to the model (n8n sends them as JSON text). */
function answerItems(text: string): Array<Record<string, unknown>> {
	const parsed = JSON.parse(text) as unknown;
	return [parsed].flat().map((item) => ((item as { json?: Record<string, unknown> }).json ?? item) as Record<string, unknown>);
}

let sandbox: Sandbox;
let model: ScriptedChatModel;
let env: StartedN8n;
let existingJobId: number;
const whenDate = new Date(Date.now() + 30 * 3600_000).toISOString();
const booking = { name: 'Agent-booked open house', whenDate, duration: 90, address1: '5 Elm St', city: 'Albany', state: 'NY', zip: '12207' };
const workflow = agentWorkflow();
const agentUrl = () => `${env.n8n.baseUrl}/webhook/e2e-agent`;

beforeAll(async () => {
	sandbox = await startSandbox({ port: 0, autoDispatch: false });
	existingJobId = await createJobDirectly(sandbox, 'Job the agent asks about');
	model = await startScriptedChatModel([
		(request) => ({ toolCalls: [{ name: toolNamed(request, /status/i), arguments: { jobId: existingJobId } }] }),
		(request) => ({ toolCalls: [{ name: toolNamed(request, /book/i), arguments: booking }] }),
		(request) => ({ content: `Done. Tool answers: ${toolResults(request).join(' | ')}` }),
	]);
	env = await startN8nWithPackage({
		sandbox,
		owner,
		workflows: [workflow],
		publish: [workflow.id],
		moreCredentials: [
			{ ...openAiCredential, type: 'openAiApi', data: { apiKey: 'scripted-model-key', url: model.baseUrl } },
		],
	});
	// n8n answers before it has registered every published workflow's webhook
	await env.n8n.waitForWebhook(agentUrl());
}, SETUP_TIMEOUT_MS);

afterAll(async () => {
	await env?.n8n.dispose();
	await model?.close();
	await sandbox?.close();
}, 60_000);

it('lets the AI Agent call Get Status, then Create with $fromAI parameters, and the sandbox shows both calls', async () => {
	const before = (await control.jobs(sandbox)).length;
	const requestsBefore = (await control.requests(sandbox)).length;
	const res = await postJson(agentUrl(), {
		prompt: `What is the status of job ${existingJobId}? Then book a Guardian for an open house at 5 Elm St, Albany NY 12207.`,
	});
	expect(res.status).toBe(200);

	// the model was offered both tools, and got each tool's answer back before the next step
	expect(model.requests).toHaveLength(3);
	const offered = (model.requests[0].tools ?? []).map((tool) => tool.function.name);
	expect(offered).toEqual(expect.arrayContaining(['Job_status', 'Book_a_Guardian']));
	const [statusAnswer] = toolResults(model.requests[1]);
	expect(answerItems(statusAnswer)).toEqual([expect.objectContaining({ jobId: existingJobId, status: 'New' })]);
	const [, createAnswer] = toolResults(model.requests[2]);
	const [created] = answerItems(createAnswer) as Array<{ jobId: number; status: string }>;
	expect(created).toMatchObject({ status: 'New', name: booking.name });

	// the sandbox saw exactly the two job calls, in order, for this partner
	const calls = (await control.requests(sandbox))
		.slice(requestsBefore)
		.filter((r) => r.path.includes('/jobs'))
		.map((r) => `${r.method} ${r.path.replace(/^.*(\/jobs)/, '$1')} ${r.status} ${r.partnerKey}`);
	const partner = sandbox.partner.partnerKey;
	expect(calls).toEqual([`GET /jobs/${existingJobId}/status 200 ${partner}`, `POST /jobs 201 ${partner}`]);

	// the job exists with exactly what the model filled in through $fromAI
	expect((await control.jobs(sandbox)).length).toBe(before + 1);
	const stored = await control.job(sandbox, created.jobId);
	expect(stored.job).toMatchObject({ name: booking.name, duration: booking.duration });
	expect(new Date(stored.job.whenDate).toISOString()).toBe(whenDate);
	expect(stored.job.location?.address).toMatchObject({ address1: '5 Elm St', city: 'Albany', state: 'NY', zip: '12207' });

	// the agent's final answer is the model's last message, and n8n recorded both tool runs
	const [{ output }] = res.body as Array<{ output: string }>;
	expect(output).toMatch(/^Done\. Tool answers: /);
	expect(output).toContain(String(created.jobId));
	const [execution] = (await waitForExecutions(env.n8n, workflow.id, 1)).slice(-1);
	expect(execution.status).toBe('success');
	expect(nodeRan(execution, 'Job status')).toBe(true);
	expect(nodeRan(execution, 'Book a Guardian')).toBe(true);
}, TEST_TIMEOUT_MS);
