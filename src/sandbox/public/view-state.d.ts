/** Types of view-state.js (a plain ES module served to the browser as is), for the tests. */
type Raw = string | string[] | null | undefined;
export function stateValue(element: Record<string, unknown>, raw: Raw): Record<string, unknown> | undefined;
export function isMissing(element: Record<string, unknown>, raw: Raw): boolean;
export const REQUIRED_MESSAGE: string;
