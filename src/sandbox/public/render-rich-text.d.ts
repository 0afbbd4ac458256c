/** Types of render-rich-text.js (a plain ES module served to the browser as is), for the tests. */
import type { RenderContext } from './render-blocks.js';
export function richText(block: Record<string, unknown>, ctx?: RenderContext): string;
export function markdown(text: string): string;
