/** Types of mail-view.js (a plain ES module served to the browser as is), for the tests. */
export function renderMail(result: { raw?: string; error?: string; email?: Record<string, unknown> }): string;
