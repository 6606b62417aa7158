// Every error the API answers is JSON of one shape (errorBody, in
// core-object/protocol.ts), naming the field at fault and the reason.
// Handlers throw an ApiError; onError turns it, Hono's own HTTP exceptions
// (malformed JSON, an unsupported media type) and anything
// unexpected (500) into that shape.
import type { Context, ErrorHandler, NotFoundHandler } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { ZodError } from "zod";
import { fieldPath, type FieldIssue } from "../hwmodel/index.ts";
import { errorBody, type Issue, type Refusal } from "../core-object/protocol.ts";

export class ApiError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly issues: Issue[],
    /** Extra members of the error object, e.g. a syntax error's position. */
    readonly details: Record<string, unknown> = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(issues.map((i) => `${i.field ?? "(request)"}: ${i.reason}`).join("; "));
    this.name = "ApiError";
  }
}

export const fail = (status: ContentfulStatusCode, field: string | null, reason: string, details?: Record<string, unknown>): ApiError =>
  new ApiError(status, [{ field, reason }], details);


/** A machine description's problems, each under `prefix` (e.g. machineDescription). */
export const machineIssues = (issues: FieldIssue[], prefix = ""): Issue[] =>
  issues.map((i) => ({ field: [prefix, i.field].filter(Boolean).join(".") || prefix || "body", reason: i.reason }));

/** Zod's issues as fields; an unknown key is named as the field. `where` names the whole input (body, query). */
export function zodIssues(error: ZodError, where: string): Issue[] {
  return error.issues.flatMap((i) =>
    i.code === "unrecognized_keys"
      ? i.keys.map((k) => ({ field: fieldPath([...i.path, k]), reason: "unknown field" }))
      : [{ field: fieldPath(i.path) || where, reason: i.message }],
  );
}

const WHERE: Record<string, string> = { json: "body", query: "query", param: "path" };

/** The validation hook of every route: a request that does not fit its schema is a 400. */
export const validationHook = (result: { success: true } | { success: false; error: ZodError; target: string }, c: Context) => {
  if (!result.success) return c.json(errorBody(zodIssues(result.error, WHERE[result.target] ?? result.target)), 400);
};

/** What a Run's refusal is over HTTP. `params` fields are mapped by the caller. */
const REFUSAL_STATUS: Record<Refusal["kind"], ContentfulStatusCode> = {
  params: 422,
  unprocessable: 422,
  invalid: 400,
  conflict: 409,
  busy: 429,
  missing: 404,
};

/** When to try again after a 429: about as long as a small run takes. */
const RETRY_AFTER_SECONDS = 10;

export function refusalError(r: Refusal): ApiError {
  const e = fail(REFUSAL_STATUS[r.kind], r.field, r.reason);
  if (r.kind === "busy") e.headers["Retry-After"] = String(RETRY_AFTER_SECONDS);
  return e;
}

/** Hono's own exceptions, from its validators: a body that is not JSON, or not JSON at all. */
const EXCEPTIONS: Partial<Record<number, Issue>> = {
  400: { field: "body", reason: "not valid JSON" },
  415: { field: "Content-Type", reason: "must be application/json" },
};

export const onError: ErrorHandler = (err, c) => {
  if (err instanceof ApiError) return c.json(errorBody(err.issues, err.details), err.status, err.headers);
  if (err instanceof HTTPException) return c.json(errorBody([EXCEPTIONS[err.status] ?? { field: null, reason: err.message }]), err.status);
  console.error(`${c.req.method} ${c.req.path}:`, err);
  return c.json(errorBody([{ field: null, reason: "internal error" }]), 500);
};

export const notFound: NotFoundHandler = (c) => c.json(errorBody([{ field: "path", reason: `no endpoint ${c.req.path}; see /docs` }]), 404);
