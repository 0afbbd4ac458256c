/** Types of render-blocks.js (a plain ES module served to the browser as is), for the tests. */
export type Surface = 'message' | 'modal' | 'home';
export interface RenderContext {
  users?: Record<string, string>;
  channels?: Record<string, string>;
  surface?: Surface;
  errors?: Record<string, string>;
}
export function escapeHtml(value: unknown): string;
export function decodeSlackEntities(text: string): string;
export function mrkdwn(text: string, ctx?: RenderContext): string;
export function textObject(t: unknown, ctx?: RenderContext): string;
export function unsupported(what: string, json: unknown): string;
export function actionElement(el: unknown, blockId: string, ctx?: RenderContext): string;
export function inputElement(el: unknown, blockId: string, ctx?: RenderContext, domId?: string): string;
export function renderBlock(block: unknown, index: number, ctx?: RenderContext): string;
export function renderBlocks(blocks: unknown, ctx?: RenderContext): string;
export function renderModal(view: unknown, ctx?: RenderContext): string;
export function renderConfirm(confirm: unknown, ctx?: RenderContext): string;
export function emoji(html: string): string;
export function safeHref(url: string): string | null;
