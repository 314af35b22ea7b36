/**
 * Parameters that the node's AI-tool variant (`g2SentryTool`, which n8n derives from
 * `usableAsTool`) should leave to the agent. n8n's `@tool` display option tells the two apart:
 * the same parameter (same name, so workflows keep working) is defined twice, once with the
 * editor's default and description, once with a `$fromAI` default and a description written for
 * the model. A user can still replace either with a fixed value.
 */
import type { INodeProperties } from 'n8n-workflow';

export interface AgentDefault {
	/** the `$fromAI` key, description and type, as the model will see them */
	key: string;
	description: string;
	type: 'number' | 'string';
	/** what the model may leave out, and what is used then */
	optional?: { fallback: string };
}

/** `={{ $fromAI('key', 'description', 'type') }}`, quoted safely. */
export function fromAI({ key, description, type, optional }: AgentDefault): string {
	const quote = (text: string) => `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
	const args = [quote(key), quote(description), quote(type), ...(optional ? [quote(optional.fallback)] : [])];
	return `={{ $fromAI(${args.join(', ')}) }}`;
}

/** The parameter for the editor and for the agent (see the top of this file). */
export function forEditorAndAgent(property: INodeProperties, agent: AgentDefault): INodeProperties[] {
	const show = property.displayOptions?.show ?? {};
	return [
		{ ...property, displayOptions: { show: { ...show, '@tool': [false] } } },
		{
			...property,
			default: fromAI(agent),
			description: `${property.description ?? ''} The agent fills this in by default.`.trim(),
			displayOptions: { show: { ...show, '@tool': [true] } },
		},
	];
}

/** The job every Job operation and Get Profile works on, as the agent is told to give it. */
export const JOB_ID_FOR_AGENT: AgentDefault = {
	key: 'jobId',
	description: 'The G2 Sentry job ID, a whole number such as 9142, as returned when the job was booked',
	type: 'number',
};
