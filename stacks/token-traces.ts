/**
 * cdktf records a full stack trace for every token it creates, only to explain a
 * token that later fails to resolve. On a clone of a few thousand resources that
 * is most of the synthesis time, so synthesis skips it; set STAGING_TOKEN_TRACES=1
 * to get the traces back when debugging a resolution error.
 */
export function skipTokenTraces(env: NodeJS.ProcessEnv = process.env): void {
  if (env.STAGING_TOKEN_TRACES === '1') return;
  // A private module of cdktf 0.21; its callers look the function up on the exports object at each call.
  const traces = require('cdktf/lib/tokens/private/stack-trace') as { captureStackTrace: () => string[] };
  traces.captureStackTrace = () => [];
}
