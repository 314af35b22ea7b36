/**
 * The shared in-memory CredentialsHelper, plus what the trigger's tests need: reading a
 * credential takes real I/O time (n8n reads and decrypts it from its database, and other
 * requests run meanwhile), and a credential may be unreadable (deleted, not shared).
 */
import type { ICredentialDataDecryptedObject, IDataObject, INodeCredentialsDetails } from 'n8n-workflow';

import { CREDENTIAL_TYPE, G2SentryApi } from '../../credentials/G2SentryApi.credentials';
import { InMemoryCredentialsHelper } from './credentials-helper';

export class TriggerCredentialsHelper extends InMemoryCredentialsHelper {
	/** `data` null: the credential cannot be read */
	constructor(data: IDataObject | null | undefined) {
		super([new G2SentryApi()]);
		if (data !== null) this.set(CREDENTIAL_TYPE, { ...(data ?? {}) } as ICredentialDataDecryptedObject);
	}

	async getDecrypted(additionalData: unknown, nodeCredentials: INodeCredentialsDetails, type: string) {
		await new Promise((resolve) => setTimeout(resolve, 2));
		return await super.getDecrypted(additionalData, nodeCredentials, type);
	}
}
