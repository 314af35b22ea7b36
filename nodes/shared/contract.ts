/**
 * Facts of the G2 Sentry Partner API (see partner-api.md), as types and constants.
 *
 * n8n-free and dependency-free: the nodes, the sandbox and the tests all read the vendor's
 * numbers and names from here. Behaviour (validation, signing, dedupe) lives elsewhere, so the
 * sandbox can take these facts without sharing the node's logic.
 */

export const ENVIRONMENTS = {
	demo: 'https://partner-api-demo.g2sentry.com/api/v1',
	production: 'https://partner-api.g2sentry.com/api/v1',
} as const;
export type Environment = keyof typeof ENVIRONMENTS | 'custom';

export const API_PREFIX = '/api/v1';

/** Header that carries the refresh token on GET /access/refresh (not body, not cookie). */
export const REFRESH_TOKEN_HEADER = 'refreshToken';
/** Header that carries the hex HMAC-SHA256 of a callback's raw body. */
export const SIGNATURE_HEADER = 'X-Signature';

export const ACCESS_TOKEN_TTL_MS = 15 * 60 * 1000;
export const REFRESH_TOKEN_TTL_MS = 7 * 24 * 60 * 60 * 1000;

/** Partner cancel/update and Guardian withdrawal stop this long before the scheduled start. */
export const CUT_OFF_MS = 2 * 60 * 60 * 1000;

/** How many requests each partner key may send per window. */
export const RATE_LIMIT = { requests: 60, windowMs: 60 * 1000 } as const;
/** The same limit as messages say it: "60 requests per minute". */
export const RATE_LIMIT_TEXT = `${RATE_LIMIT.requests} requests per ${
	RATE_LIMIT.windowMs === 60_000 ? 'minute' : `${RATE_LIMIT.windowMs / 1000} seconds`
}`;

/** Callback redelivery after a non-2xx answer or a network failure, then given up. */
export const CALLBACK_RETRY_DELAYS_MS = [
	1_000,
	5_000,
	30_000,
	2 * 60_000,
	10 * 60_000,
	60 * 60_000,
] as const;

export const NAME_MAX_LENGTH = 255;
export const REVIEW_RATE_MIN = 1;
export const REVIEW_RATE_MAX = 5;
/** Two uppercase letters, e.g. NY. */
export const STATE_PATTERN = /^[A-Z]{2}$/;
/** Five digits, or nine (with or without the ZIP+4 hyphen). */
export const ZIP_PATTERN = /^\d{5}(?:-?\d{4})?$/;

export const JOB_STATUSES = ['New', 'Assigned', 'InProgress', 'Completed', 'Canceled'] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];

/** Every status change the vendor allows (partner cancel, Guardian accept/start/complete/withdraw). */
export const ALLOWED_TRANSITIONS: Readonly<Record<JobStatus, readonly JobStatus[]>> = {
	New: ['Assigned', 'Canceled'],
	Assigned: ['InProgress', 'New', 'Canceled'],
	InProgress: ['Completed'],
	Completed: [],
	Canceled: [],
};

/** The events G2 Sentry sends as callbacks. NewJob, JobGuardianRate and JobClientRate never are. */
export const CALLBACK_EVENTS = ['JobAssigned', 'JobStarted', 'JobCompleted', 'JobWithdrawed'] as const;
export type CallbackEvent = (typeof CALLBACK_EVENTS)[number];

/** The status a job is left in by each event (JobWithdrawed may also say Canceled: see ambiguities). */
export const EVENT_RESULT_STATUS: Readonly<Record<CallbackEvent, JobStatus>> = {
	JobAssigned: 'Assigned',
	JobStarted: 'InProgress',
	JobCompleted: 'Completed',
	JobWithdrawed: 'New',
};

export const ERROR_CODES = {
	validation: 'VALIDATION_ERROR',
	unauthorized: 'UNAUTHORIZED',
	forbidden: 'FORBIDDEN',
	notFound: 'NOT_FOUND',
	cutOff: 'CUT_OFF_EXCEEDED',
	invalidState: 'INVALID_JOB_STATE',
	rateLimited: 'RATE_LIMIT_EXCEEDED',
	internal: 'INTERNAL_ERROR',
} as const;

// ---- wire shapes ---------------------------------------------------------------------------

export interface LoginRequest {
	partnerKey: string;
	partnerSecret: string;
}
export interface LoginResponse {
	partnerKey: string;
	name: string;
	accessToken: string;
	refreshToken: string;
}
export interface RefreshResponse {
	accessToken: string;
	refreshToken: string;
}

export interface Address {
	address1: string;
	address2?: string;
	city: string;
	state: string;
	zip: string;
}
export interface Gps {
	latitude: number;
	longitude: number;
}
export interface Location {
	address?: Address;
	gps?: Gps;
}
export interface Client {
	clientId?: string;
	clientInfo?: string;
	clientPhone?: string;
}

export interface JobCreate {
	name: string;
	whenDate: string;
	duration: number;
	location: Location;
	description?: string;
	client?: Client;
}
/** Client fields are flat on update, nested under `client` on create. */
export interface JobUpdate {
	name?: string;
	location?: Location;
	whenDate?: string;
	duration?: number;
	description?: string;
	clientId?: string;
	clientInfo?: string;
	clientPhone?: string;
}
/** The reference says `{ jobId }`; the overview diagram adds `status`. Both are accepted. */
export interface JobCreated {
	jobId: number;
	status?: JobStatus;
}

export interface AssignedGuardian {
	guardianId: number;
	firstName: string;
	lastName: string;
	avatarThumbnailUrl?: string;
	/** masked (Sinch) number */
	phone?: string;
}
export interface JobRecord {
	jobId: number;
	status: JobStatus;
	guardian?: AssignedGuardian | null;
	job: JobCreate;
}
export interface JobStatusResponse {
	jobId: number;
	status: JobStatus;
}
export interface ReviewRequest {
	rate: number;
	review?: string;
}
export interface GuardianProfile {
	guardianId: number;
	firstName: string;
	lastName: string;
	bio: string;
	/** short-lived signed URL: fetch again, never cache */
	avatarUrl: string;
}

export interface FieldError {
	fieldName: string;
	message: string;
}
export interface ErrorEnvelope {
	code: string;
	message: string;
	errors?: FieldError[];
}
export interface SuccessEnvelope {
	code: 'SUCCESS' | string;
	message: string;
}

export interface CallbackPayload {
	jobId: number;
	eventType: CallbackEvent | string;
	jobName: string;
	jobStatus: JobStatus | string;
	guardianPhone?: string;
}
