/**
 * Every limit, default and timeout of the node, named once. Sources: the WebRun API reference
 * (docs/webrun-api-notes.md) where a value is WebRun's, our own choice otherwise.
 */

export const CREDENTIAL_TYPE = 'webRunApi';
export const DEFAULT_BASE_URL = 'https://connect.webrun.ai';

// ---- Task limits (WebRun's, checked before any request)
export const MIN_DURATION_MS = 1_000;
export const MAX_DURATION_MS = 300_000;
export const MAX_TOKENS = 100_000;

// ---- Waiting (the user's options)
export const DEFAULT_POLL_INTERVAL_S = 2;
export const MIN_POLL_INTERVAL_S = 1;
/** The whole wait of one item, start included (as n8n's Airtop node does). */
export const DEFAULT_TIMEOUT_S = 600;
/** "Parallel Tasks": items of one execution running at once. */
export const MAX_CONCURRENCY = 10;

// ---- HTTP
/** A starting request may be held for WebRun's 50 s inline window: its timeout must be longer. */
export const START_REQUEST_TIMEOUT_MS = 70_000;
/** A poll should answer at once; a slow one is abandoned and retried. */
export const POLL_REQUEST_TIMEOUT_MS = 30_000;
/** Best-effort cleanup (terminate a session after a stop) gives up after this long. */
export const CLEANUP_REQUEST_TIMEOUT_MS = 5_000;

// ---- Retries
/** A 429 on a starting request without Retry-After or X-RateLimit-Reset waits this long. */
export const DEFAULT_RETRY_AFTER_MS = 60_000;
/** A 429 on a poll without Retry-After waits this long (or the poll interval, if longer). */
export const POLL_RATE_LIMITED_WAIT_MS = 5_000;
/** 503 (no browsers free) on a start backs off 2 s, 4 s, 8 s… up to this. */
export const MAX_UNAVAILABLE_BACKOFF_MS = 30_000;
/** Transient poll failures back off up to this long between polls. */
export const MAX_POLL_BACKOFF_MS = 30_000;

// ---- The account's start budget (WebRun: 10 starting requests per minute per account)
export const DEFAULT_START_LIMIT = 10;
export const DEFAULT_WINDOW_MS = 60_000;
/** Added to window-based waits: covers the time between taking a slot and the request's arrival. */
export const START_MARGIN_MS = 100;
/** Added to a reset the server gave for one of our starts: covers requests overtaking each other. */
export const RESET_MARGIN_MS = 25;

// ---- Sleeping
/** Longest single timer: keeps a stopped execution from holding the process for long. */
export const MAX_SLEEP_CHUNK_MS = 1_000;

// ---- Cost guard (our choices; WebRun reports usage.cost in USD on every poll)
/** "Max Cost per Task (USD)" when the option is added: the example of a task budget. */
export const DEFAULT_MAX_COST_USD = 0.5;
/** "Max Total Cost (USD)" when the option is added. */
export const DEFAULT_MAX_TOTAL_COST_USD = 5;
/** The editor's smallest cap and its decimals (WebRun's costs have about 4 significant decimals). */
export const MIN_COST_USD = 0.0001;
export const COST_DECIMALS = 4;
/** A stop or terminate sent at the cost cap: tries, and the wait after a failure that may pass. */
export const STOP_ATTEMPTS = 3;
export const STOP_RETRY_WAIT_MS = 1_000;
/** Longest Retry-After a stop at the cost cap waits for (WebRun's sample client caps it at 60 s). */
export const MAX_STOP_RETRY_AFTER_MS = 60_000;
/** One stop request: the server should answer at once. */
export const STOP_REQUEST_TIMEOUT_MS = 15_000;

// ---- Structured results and files (docs/webrun-api-notes.md#structured-output, #files)
/** How much of the agent's raw answer an output error's description shows (the item has all). */
export const MAX_RAW_ANSWER_IN_ERROR = 2_000;
/** One MB of "Max File Size (MB)" and of the sizes in messages. */
export const BYTES_PER_MB = 1024 * 1024;
/** "Max File Size (MB)" of Download Files. */
export const DEFAULT_MAX_FILE_SIZE_MB = 100;
export const MAX_FILE_SIZE_MB = 1_024;
/** A download that sends nothing for this long is given up. */
export const DOWNLOAD_IDLE_TIMEOUT_MS = 60_000;
/** Redirects a download follows (each hop decides again whether the API key may go along). */
export const MAX_DOWNLOAD_REDIRECTS = 5;
/** POST /files/upload carries whole files: it may take longer than a start. */
export const UPLOAD_REQUEST_TIMEOUT_MS = 300_000;

// ---- One way out and addresses (transport/http.ts, transport/addresses.ts, transport/download.ts)
/** How much of a non-JSON answer body is kept (redacted first, then cut). */
export const MAX_TEXT_BODY_CHARS = 2_000;
/** How much of a server's error text a message quotes (redacted first, then cut). */
export const MAX_SERVER_MESSAGE_CHARS = 300;
/**
 * The total of one item's downloaded files: 4 × its Max File Size, at most 2 GiB. A task's answer
 * may list any number of files; this bounds the binary data (memory, disk or S3) one item can fill.
 */
export const DOWNLOAD_TOTAL_FACTOR = 4;
export const MAX_DOWNLOAD_TOTAL_BYTES = 2 * 1024 * 1024 * 1024;
/** A stored file name: at most this many UTF-8 bytes (the common file-system limit). */
export const MAX_FILE_NAME_BYTES = 255;

// ---- Bounded waits and answers the node does not expect (our choices)
/**
 * Longest time one rate-limit answer (Retry-After, or X-RateLimit-Remaining 0 with its
 * X-RateLimit-Reset) may hold the account's shared start budget: 10 minutes. WebRun's window is one
 * minute, so a longer wait is a broken or hostile answer; it must not pause every later execution
 * of the n8n process for days. Items whose own Timeout is shorter than the wait fail at once.
 */
export const MAX_SHARED_RATE_LIMIT_WAIT_MS = 600_000;
/**
 * A WebRun session or task ID, typed by the user or given by the server: letters, digits and
 * `._:-`, starting with a letter or digit (so never `.` or `..`), at most 128 characters. Both
 * are checked against it before they enter a request path or body.
 */
export const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;
