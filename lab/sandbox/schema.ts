/**
 * A small schema for the sandbox's inputs: each option's kind and bounds written once, and one
 * checker that names every problem as a field error. The start-up options, POST /_control/config,
 * the CLI's flags and the control bodies (fail-next and friends) are all checked with it, so a
 * bound or a message cannot differ between them. Dev code: no dependency needed for this much.
 */
import type { FieldError } from '../../nodes/shared/contract';
import { pathPatternProblem } from './glob';

export type Rule =
	| { kind: 'number'; min: number; max?: number; whole?: boolean }
	| { kind: 'boolean' }
	/** `nonEmpty` unless said otherwise; `what` names it in the message ("an HTTP method") */
	| { kind: 'text'; nonEmpty?: false; what?: string }
	| { kind: 'oneOf'; values: readonly (string | number)[] }
	| { kind: 'listOf'; values: readonly string[] }
	| { kind: 'pathPattern' }
	/** an http(s) URL; plain HTTP only where the context allows it; null clears it */
	| { kind: 'callbackUrl' }
	/** the first rule a value passes; the last one's message when it passes none */
	| { kind: 'either'; rules: readonly Rule[] }
	/** a nested object of known keys (chaos, variants, dispatch) */
	| { kind: 'group'; name: string; fields: Schema };

export type Schema = Readonly<Record<string, Rule>>;

/** What a check may depend on besides the value itself. */
export interface CheckContext {
	allowHttpCallbacks: boolean;
}

export const number = (min: number, max?: number): Rule => ({ kind: 'number', min, max });
export const wholeNumber = (min: number, max?: number): Rule => ({ kind: 'number', min, max, whole: true });
export const probability: Rule = number(0, 1);
export const boolean: Rule = { kind: 'boolean' };
export const text: Rule = { kind: 'text' };
export const oneOf = (...values: readonly (string | number)[]): Rule => ({ kind: 'oneOf', values });

const orList = (values: readonly unknown[]) =>
	values.length < 2 ? values.join('') : `${values.slice(0, -1).join(', ')} or ${values.at(-1)}`;

/** What a rule asks for, as the end of a message: "must be a number from 0 to 1". */
export function requirement(rule: Rule, context?: CheckContext): string {
	switch (rule.kind) {
		case 'number': {
			const range =
				rule.max !== undefined ? ` from ${rule.min} to ${rule.max}` : rule.min > -Infinity ? ` ≥ ${rule.min}` : '';
			return `must be a ${rule.whole ? 'whole number' : 'number'}${range}`;
		}
		case 'boolean':
			return 'must be true or false';
		case 'text':
			return `must be ${rule.what ?? (rule.nonEmpty === false ? 'a string' : 'a non-empty string')}`;
		case 'oneOf':
			return `must be ${orList(rule.values)}`;
		case 'listOf':
			return `must be a list of ${rule.values.join(', ')}`;
		case 'pathPattern':
			return 'must be a path pattern of at most 200 characters (* and ? are wildcards)';
		case 'callbackUrl':
			return context?.allowHttpCallbacks === false ? 'must be an HTTPS URL or null' : 'must be an http(s) URL or null';
		case 'either':
			return requirement(rule.rules[rule.rules.length - 1], context);
		case 'group':
			return 'must be a JSON object';
	}
}

/** Why a callback URL is refused, or null when it is fine. */
export function callbackUrlProblem(value: unknown, allowHttp: boolean): string | null {
	if (typeof value !== 'string') return 'must be a URL string or null';
	let url: URL;
	try {
		url = new URL(value);
	} catch {
		return 'is not a valid URL';
	}
	if (url.protocol === 'https:') return null;
	if (url.protocol === 'http:') return allowHttp ? null : 'must use HTTPS (plain-HTTP callback URLs are refused)';
	return 'must be an http(s) URL';
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The problems with one value (undefined = not given = fine), named under `fieldName`. */
export function checkValue(rule: Rule, value: unknown, fieldName: string, context: CheckContext): FieldError[] {
	if (value === undefined) return [];
	const wrong = (message = requirement(rule, context)): FieldError[] => [{ fieldName, message }];
	switch (rule.kind) {
		case 'number': {
			const ok = typeof value === 'number' && Number.isFinite(value) && value >= rule.min && value <= (rule.max ?? Infinity);
			return ok && (!rule.whole || Number.isInteger(value)) ? [] : wrong();
		}
		case 'boolean':
			return typeof value === 'boolean' ? [] : wrong();
		case 'text':
			return typeof value === 'string' && (rule.nonEmpty === false || value.length > 0) ? [] : wrong();
		case 'oneOf':
			return rule.values.includes(value as string | number) ? [] : wrong();
		case 'listOf':
			return Array.isArray(value) && value.every((item) => rule.values.includes(item)) ? [] : wrong();
		case 'pathPattern': {
			const problem = pathPatternProblem(value);
			return problem ? wrong(problem) : [];
		}
		case 'callbackUrl': {
			const problem = value === null ? null : callbackUrlProblem(value, context.allowHttpCallbacks);
			return problem ? wrong(problem) : [];
		}
		case 'either': {
			let problems: FieldError[] = [];
			for (const alternative of rule.rules) {
				problems = checkValue(alternative, value, fieldName, context);
				if (problems.length === 0) return [];
			}
			return problems;
		}
		case 'group':
			return checkObject(rule.fields, value, context, {
				prefix: `${fieldName}.`,
				unknown: (known) => `is not a ${rule.name} option (known: ${known.join(', ')})`,
				notAnObject: fieldName,
			});
	}
}

export interface ObjectCheck {
	/** put before each key in field names ("chaos.") */
	prefix?: string;
	/** the message for a key the schema does not know: a typo is named, never ignored */
	unknown: (known: string[]) => string;
	/** the field name when the value is not an object at all (default "body") */
	notAnObject?: string;
	/** keys that must be given */
	required?: readonly string[];
}

/** Every problem with an object: unknown keys first, then each known key in the schema's order. */
export function checkObject(schema: Schema, value: unknown, context: CheckContext, how: ObjectCheck): FieldError[] {
	if (!isPlainObject(value)) return [{ fieldName: how.notAnObject ?? 'body', message: 'must be a JSON object' }];
	const known = Object.keys(schema);
	const prefix = how.prefix ?? '';
	const errors: FieldError[] = Object.keys(value)
		.filter((key) => !Object.hasOwn(schema, key))
		.map((key) => ({ fieldName: `${prefix}${key}`, message: how.unknown(known) }));
	for (const key of known) {
		const fieldName = `${prefix}${key}`;
		if (value[key] === undefined && how.required?.includes(key)) errors.push({ fieldName, message: requirement(schema[key], context) });
		else errors.push(...checkValue(schema[key], value[key], fieldName, context));
	}
	return errors;
}

/** A value's shape for route listings: `"access"|"refresh"|"all"`, `whole number ≥ 1`, `path pattern`. */
function shapeOf(rule: Rule): string {
	switch (rule.kind) {
		case 'number':
			return requirement(rule).replace(/^must be an? /, '');
		case 'boolean':
			return 'true|false';
		case 'text':
			return 'string';
		case 'oneOf':
			return rule.values.map((value) => JSON.stringify(value)).join('|');
		case 'listOf':
			return `[${rule.values.map((value) => JSON.stringify(value)).join('|')}, …]`;
		case 'pathPattern':
			return 'path pattern';
		case 'callbackUrl':
			return 'URL|null';
		case 'either':
			return rule.rules.map(shapeOf).join('|');
		case 'group':
			return `{ ${optionList(rule.fields)} }`;
	}
}

/** A JSON body's fields and their shapes: `{ "count"?: whole number ≥ 1, "status"?: 500|502|503 }`. */
export function bodyShape(body: { fields: Schema; required?: readonly string[] }): string {
	const fields = Object.entries(body.fields).map(
		([key, rule]) => `"${key}"${body.required?.includes(key) ? '' : '?'}: ${shapeOf(rule)}`,
	);
	return `{ ${fields.join(', ')} }`;
}

/** An option list for route listings: `callbackUrl, …, chaos{}` (groups marked with {}). */
export function optionList(schema: Schema): string {
	return Object.entries(schema)
		.map(([key, rule]) => (rule.kind === 'group' ? `${key}{}` : key))
		.join(', ');
}
