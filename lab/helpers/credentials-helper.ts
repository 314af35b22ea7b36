/**
 * An in-memory stand-in for n8n's CredentialsHelper (packages/cli), behaving as n8n does where
 * the nodes can tell: stored data is read fresh on every getCredentials, preAuthentication runs
 * when the expirable field is empty or a request answered 401 (or during a credential test),
 * everything it returns is persisted, and generic `authenticate` definitions are resolved as
 * n8n expressions against `$credentials`. Calls and updates are recorded for assertions.
 */
import { Credentials } from 'n8n-core';
import {
	ICredentialsHelper,
	type ICredentialDataDecryptedObject,
	type ICredentialType,
	type IHttpRequestHelper,
	type IHttpRequestOptions,
	type INode,
	type INodeCredentialsDetails,
	type INodeProperties,
	type IRequestOptionsSimplified,
	type Workflow,
} from 'n8n-workflow';

export interface PreAuthCall {
	type: string;
	expired: boolean;
	testing: boolean;
}

export class InMemoryCredentialsHelper extends ICredentialsHelper {
	private readonly types = new Map<string, ICredentialType>();
	private readonly store = new Map<string, ICredentialDataDecryptedObject>();
	readonly preAuthCalls: PreAuthCall[] = [];
	readonly updates: Array<{ type: string; data: ICredentialDataDecryptedObject }> = [];

	constructor(types: ICredentialType[]) {
		super();
		for (const type of types) this.types.set(type.name, type);
	}

	/** Stores credential data the way the n8n UI saves it: every property, defaults filled in. */
	set(type: string, data: ICredentialDataDecryptedObject): this {
		const defaults = Object.fromEntries(
			this.getCredentialsProperties(type).map((p) => [p.name, p.default]),
		) as ICredentialDataDecryptedObject;
		this.store.set(type, { ...defaults, ...data });
		return this;
	}

	/** The stored data right now (a copy). */
	get(type: string): ICredentialDataDecryptedObject {
		return { ...(this.store.get(type) ?? {}) };
	}

	/** Changes stored fields, e.g. to plant an expired or revoked token. */
	patch(type: string, data: ICredentialDataDecryptedObject): void {
		this.store.set(type, { ...this.get(type), ...data });
	}

	private type(name: string): ICredentialType {
		const type = this.types.get(name);
		if (!type) throw new Error(`Unknown credential type ${name}`);
		return type;
	}

	getParentTypes(): string[] {
		return [];
	}

	isCredentialUsableByNode(): boolean {
		return true;
	}

	getCredentialsProperties(type: string): INodeProperties[] {
		return this.type(type).properties;
	}

	async getDecrypted(_additionalData: unknown, _nodeCredentials: INodeCredentialsDetails, type: string) {
		if (!this.store.has(type)) throw new Error(`No ${type} credential stored in the test`);
		return this.get(type);
	}

	async getCredentials(nodeCredentials: INodeCredentialsDetails, type: string) {
		const credentials = new Credentials({ id: nodeCredentials.id, name: nodeCredentials.name }, type);
		return credentials;
	}

	async updateCredentials(_nodeCredentials: INodeCredentialsDetails, type: string, data: ICredentialDataDecryptedObject) {
		this.updates.push({ type, data: { ...data } });
		this.store.set(type, { ...this.get(type), ...data });
	}

	async updateCredentialsOauthTokenData(): Promise<void> {}

	async preAuthentication(
		helpers: IHttpRequestHelper,
		credentials: ICredentialDataDecryptedObject,
		typeName: string,
		node: INode,
		credentialsExpired: boolean,
	): Promise<ICredentialDataDecryptedObject | undefined> {
		const type = this.type(typeName);
		const expirable = type.properties.find((p) => p.type === 'hidden' && p.typeOptions?.expirable === true);
		if (!expirable || typeof type.preAuthentication !== 'function') return undefined;
		const testing = node.parameters?.temp === '' && node.type === 'n8n-nodes-base.noOp';
		if (credentials[expirable.name] !== '' && !credentialsExpired && !testing) return undefined;

		this.preAuthCalls.push({ type: typeName, expired: credentialsExpired, testing });
		// like n8n: the hook only gets httpRequest, nothing else from the node's helpers
		const restricted: IHttpRequestHelper = {
			helpers: { httpRequest: async (options: IHttpRequestOptions) => await helpers.helpers.httpRequest(options) },
		};
		const output = await type.preAuthentication.call(restricted, credentials);
		if (output[expirable.name] === undefined) return undefined;
		if (node.credentials) await this.updateCredentials(node.credentials[typeName], typeName, output as ICredentialDataDecryptedObject);
		return Object.assign(credentials, output);
	}

	async runPreAuthentication(): Promise<undefined> {
		return undefined;
	}

	async authenticate(
		credentials: ICredentialDataDecryptedObject,
		typeName: string,
		requestOptions: IHttpRequestOptions | IRequestOptionsSimplified,
		workflow?: Workflow,
		node?: INode,
	): Promise<IHttpRequestOptions> {
		const { authenticate } = this.type(typeName);
		if (typeof authenticate === 'function') return await authenticate(credentials, requestOptions as IHttpRequestOptions);
		if (!authenticate) return requestOptions as IHttpRequestOptions;
		if (!workflow || !node) throw new Error('generic authentication needs the workflow and node');
		const resolve = (value: string) =>
			String(
				workflow.expression.getSimpleParameterValue(node, value, 'internal', { $credentials: credentials }, undefined, '') ?? '',
			);
		const target = requestOptions as unknown as Record<string, Record<string, string> | undefined>;
		for (const [section, entries] of Object.entries(authenticate.properties)) {
			target[section] ??= {};
			for (const [key, value] of Object.entries(entries as Record<string, string>)) {
				target[section]![resolve(key)] = resolve(value);
			}
		}
		return requestOptions as IHttpRequestOptions;
	}
}
