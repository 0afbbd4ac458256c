/** The `error` of a Slack platform error thrown by @slack/web-api, if it is one. */
export function slackErrorCode(err: unknown): string | undefined {
  if (err && typeof err === 'object' && 'data' in err) {
    const data = (err as { data?: { error?: unknown } }).data;
    if (data && typeof data.error === 'string') return data.error;
  }
  return undefined;
}
