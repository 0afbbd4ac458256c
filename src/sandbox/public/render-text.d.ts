/** Types of render-text.js (a plain ES module served to the browser as is), for the tests. */
import type { RenderContext } from './render-blocks.js';
export function isObject(v: unknown): v is Record<string, unknown>;
export function escapeHtml(value: unknown): string;
export function decodeSlackEntities(text: string): string;
export function emoji(html: string): string;
export function safeHref(url: string): string | null;
export function mrkdwn(text: string, ctx?: RenderContext): string;
export function unsupported(what: string, json: unknown): string;
