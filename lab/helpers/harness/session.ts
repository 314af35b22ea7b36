// The owner's session on n8n's internal REST API (what the editor itself calls), for what the CLI
// cannot do headlessly: creating a Data Table and reading its rows. n8n ties the session cookie
// to a `browser-id` header, so every call sends the one used at login.
import crypto from 'node:crypto';

import type { N8nOwner } from './n8n-versions';

export interface DataTableColumn {
	name: string;
	type: 'string' | 'number' | 'boolean' | 'date';
}

export interface DataTable {
	id: string;
	name: string;
	projectId: string;
}

export class N8nSession {
	private constructor(
		readonly baseUrl: string,
		private readonly cookie: string,
		private readonly browserId: string,
	) {}

	static async login(baseUrl: string, owner: N8nOwner): Promise<N8nSession> {
		const browserId = crypto.randomUUID();
		const res = await fetch(`${baseUrl}/rest/login`, {
			method: 'POST',
			headers: { 'content-type': 'application/json', 'browser-id': browserId },
			body: JSON.stringify({ emailOrLdapLoginId: owner.email, password: owner.password }),
		});
		if (!res.ok) throw new Error(`n8n login as ${owner.email} → ${res.status} ${await res.text()}`);
		const cookie = res.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
		return new N8nSession(baseUrl, cookie, browserId);
	}

	async call<T>(method: string, route: string, body?: unknown): Promise<T> {
		const res = await fetch(`${this.baseUrl}/rest${route}`, {
			method,
			headers: {
				cookie: this.cookie,
				'browser-id': this.browserId,
				...(body === undefined ? {} : { 'content-type': 'application/json' }),
			},
			body: body === undefined ? undefined : JSON.stringify(body),
		});
		const text = await res.text();
		if (!res.ok) throw new Error(`n8n ${method} /rest${route} → ${res.status} ${text.slice(0, 300)}`);
		const parsed = (text ? JSON.parse(text) : {}) as { data?: T };
		return parsed.data as T;
	}

	async personalProjectId(): Promise<string> {
		return (await this.call<{ id: string }>('GET', '/projects/personal')).id;
	}

	/** Creates a Data Table in the owner's personal project (where imported workflows live). */
	async createDataTable(name: string, columns: DataTableColumn[]): Promise<DataTable> {
		const projectId = await this.personalProjectId();
		const table = await this.call<{ id: string; name: string }>('POST', `/projects/${projectId}/data-tables`, { name, columns });
		return { id: table.id, name: table.name, projectId };
	}

	async dataTableRows(table: DataTable): Promise<Array<Record<string, unknown>>> {
		const page = await this.call<{ data: Array<Record<string, unknown>> }>(
			'GET',
			`/projects/${table.projectId}/data-tables/${table.id}/rows?take=1000`,
		);
		return page.data;
	}
}
