/**
 * Hands a test event from webhook() to trigger() in the editor's test mode.
 *
 * The node has both a webhook and a trigger() (for catch-up, ./catchUp.ts). When a test event
 * arrives at the Test URL, n8n runs the execution in manual mode, and for a node with a trigger()
 * it calls trigger() in manual mode and takes what that emits as the node's output instead of
 * what webhook() returned (n8n-core's WorkflowExecute.runNode checks `trigger` before `webhook`).
 * So webhook() leaves the items here and trigger() emits them. Both run in the n8n process that
 * serves the Test URL; an execution sent to another process finds nothing and says so.
 */
import type { INodeExecutionData } from 'n8n-workflow';

/** Test events are taken within seconds; one left behind (a failed run) expires. */
const HELD_FOR_MS = 5 * 60 * 1000;
const held = new Map<string, { items: INodeExecutionData[][]; at: number }>();

export function holdTestEvent(key: string, items: INodeExecutionData[][], now = Date.now()): void {
	for (const [other, entry] of held) if (now - entry.at > HELD_FOR_MS) held.delete(other);
	held.set(key, { items, at: now });
}

export function takeTestEvent(key: string, now = Date.now()): INodeExecutionData[][] | undefined {
	const entry = held.get(key);
	held.delete(key);
	return entry !== undefined && now - entry.at <= HELD_FOR_MS ? entry.items : undefined;
}
