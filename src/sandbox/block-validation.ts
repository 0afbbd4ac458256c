/**
 * Block Kit validation with Slack's own limits and error wording, so the stand-in rejects what Slack would
 * reject (`invalid_blocks` / `invalid_arguments` with `response_metadata.messages`) and a builder bug shows
 * up in tests instead of in production. Limits are taken from docs.slack.dev (block, element and
 * composition-object references). Error strings look like Slack's:
 * `[ERROR] must be less than 3001 characters [json-pointer:/blocks/0/text/text]`.
 */

import { checkBlocks } from './block-validation/blocks.js';
import { Checker } from './block-validation/checker.js';
import { BLOCK_LIMITS, isObject } from './block-validation/limits.js';

export { BLOCK_LIMITS } from './block-validation/limits.js';

/**
 * Validates the `blocks` (and optionally the `text`) of a message. `blocks` may be undefined (a text-only
 * message is fine), an array, or anything else (which is an error).
 */
export function validateMessageBlocks(blocks: unknown, text?: unknown): string[] {
  const c = new Checker('message');
  if (text !== undefined && text !== null) {
    if (typeof text !== 'string') c.fail('must provide a string', '/text');
    else if (text.length > BLOCK_LIMITS.messageText) {
      c.fail(`must be less than ${BLOCK_LIMITS.messageText + 1} characters`, '/text');
    }
  }
  if (blocks === undefined || blocks === null) return c.errors;
  if (!Array.isArray(blocks)) {
    c.fail('must provide an array', '/blocks');
    return c.errors;
  }
  if (blocks.length > BLOCK_LIMITS.messageBlocks) {
    c.fail(`no more than ${BLOCK_LIMITS.messageBlocks} items allowed`, '/blocks');
  }
  checkBlocks(c, blocks, '/blocks');
  return c.errors;
}

/** Validates a modal or Home tab view object (what `views.open/update/push/publish` receive). */
export function validateView(view: unknown): string[] {
  if (!isObject(view)) return ['[ERROR] must provide an object [json-pointer:/view]'];
  const type = view.type;
  if (type !== 'modal' && type !== 'home') {
    return ['[ERROR] must be a valid enum value [json-pointer:/view/type]'];
  }
  const c = new Checker(type);
  const at = '/view';
  if (type === 'modal') {
    c.text(view, 'title', at, { max: BLOCK_LIMITS.modalTitle, plainOnly: true, required: true });
    c.text(view, 'submit', at, { max: BLOCK_LIMITS.modalButton, plainOnly: true });
    c.text(view, 'close', at, { max: BLOCK_LIMITS.modalButton, plainOnly: true });
  }
  c.string(view, 'private_metadata', at, { max: BLOCK_LIMITS.privateMetadata });
  c.string(view, 'callback_id', at, { max: BLOCK_LIMITS.callbackId });
  c.string(view, 'external_id', at, { max: BLOCK_LIMITS.externalId });
  const blocks = c.array(view, 'blocks', at, { max: BLOCK_LIMITS.viewBlocks, required: true });
  if (blocks) {
    checkBlocks(c, blocks, `${at}/blocks`);
    const hasInput = blocks.some((b) => isObject(b) && b.type === 'input');
    if (type === 'modal' && hasInput && view.submit === undefined) {
      c.fail('submit is required when an input block is within the blocks array', at);
    }
  }
  return c.errors;
}
