// A registered symbol, not a class check: two copies of this package still recognise each other's errors.
const BRAND = Symbol.for('@pipeline/orchestrator-api.OrchestratorApiError');

/** What went wrong talking to the orchestrator's HTTP API. */
export type OrchestratorApiErrorCode =
  /** The address is not an http(s) URL. */
  | 'INVALID_URL'
  /** No answer: nothing listens there, the connection failed, or no answer within the timeout. */
  | 'UNREACHABLE'
  /** 401: the token (ORCH_HTTP_TOKEN) is missing or wrong. */
  | 'UNAUTHORIZED'
  /** An answer other than 200, 401 or 404. */
  | 'HTTP_ERROR';

/** The one error of the client; `code` says which case. Recognise it with `isOrchestratorApiError`. */
export class OrchestratorApiError extends Error {
  readonly code: OrchestratorApiErrorCode;
  /** The orchestrator's base URL as given (for INVALID_URL: the text that is not a URL). */
  readonly url: string;
  declare readonly [BRAND]: true;

  constructor(
    code: OrchestratorApiErrorCode,
    url: string,
    message: string,
    options: { cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.url = url;
    Object.defineProperty(this, BRAND, { value: true });
  }
}

/** The orchestrator does not answer. `reason` is the short why (ECONNREFUSED, a timeout…), if known. */
export class OrchestratorUnreachableError extends OrchestratorApiError {
  readonly reason: string | undefined;

  constructor(url: string, reason: string | undefined, options: { cause?: unknown } = {}) {
    super(
      'UNREACHABLE',
      url,
      `cannot reach the orchestrator at ${url}: is it running?${reason ? ` (${reason})` : ''}`,
      options,
    );
    this.reason = reason;
  }
}

/** The orchestrator answered with an unexpected HTTP status. */
export class OrchestratorHttpError extends OrchestratorApiError {
  constructor(
    url: string,
    readonly status: number,
    readonly body: string,
  ) {
    super('HTTP_ERROR', url, `the orchestrator at ${url} answered HTTP ${status}: ${body}`);
  }
}

/** The orchestrator wants a bearer token (ORCH_HTTP_TOKEN) that was not sent, or not the one sent. */
export class OrchestratorUnauthorizedError extends OrchestratorApiError {
  constructor(
    url: string,
    /** Whether a token was sent (and refused). */
    readonly tokenSent: boolean,
  ) {
    super(
      'UNAUTHORIZED',
      url,
      tokenSent
        ? `the orchestrator at ${url} refused the token (HTTP 401): set ORCH_HTTP_TOKEN to its token`
        : `the orchestrator at ${url} needs a bearer token (HTTP 401): set ORCH_HTTP_TOKEN to its token`,
    );
  }
}

export function isOrchestratorApiError(
  error: unknown,
  code?: OrchestratorApiErrorCode,
): error is OrchestratorApiError {
  return (
    typeof error === 'object' &&
    error !== null &&
    (error as { [BRAND]?: unknown })[BRAND] === true &&
    (code === undefined || (error as OrchestratorApiError).code === code)
  );
}
