/** Blocks: ids unique per payload, each block type with its fields, element places and limits. */

import type { Checker } from './checker.js';
import { checkElement, imageElement } from './elements.js';
import { BLOCK_LIMITS, BLOCK_TYPES, isObject, type Json } from './limits.js';
import { checkRichText } from './rich-text.js';

/** A list of blocks (a message's or a view's), with block_ids unique within it. */
export function checkBlocks(c: Checker, blocks: unknown[], pointer: string): void {
  const seen = new Set<string>();
  blocks.forEach((block, i) => {
    const at = `${pointer}/${i}`;
    if (!isObject(block)) {
      c.fail('must provide an object', at);
      return;
    }
    const blockId = c.string(block, 'block_id', at, { max: BLOCK_LIMITS.blockId, required: false });
    if (blockId !== undefined) {
      if (blockId.length === 0) c.fail('must be more than 0 characters', `${at}/block_id`);
      if (seen.has(blockId)) c.fail(`duplicate block_id: ${blockId}`, `${at}/block_id`);
      seen.add(blockId);
    }
    checkBlock(c, block, at);
  });
}

function checkBlock(c: Checker, block: Json, at: string): void {
  const type = block.type;
  if (typeof type !== 'string') {
    c.fail('missing required field: type', at);
    return;
  }
  if (!BLOCK_TYPES.has(type)) {
    c.fail(`unsupported type: ${type}`, `${at}/type`);
    return;
  }
  switch (type) {
    case 'section': {
      if (block.text === undefined && block.fields === undefined) {
        c.fail('must provide either text or fields', at);
      }
      c.text(block, 'text', at, { max: BLOCK_LIMITS.sectionText });
      const fields = c.array(block, 'fields', at, { min: 1, max: BLOCK_LIMITS.sectionFields });
      fields?.forEach((f, i) => {
        c.textObject(f, `${at}/fields/${i}`, BLOCK_LIMITS.sectionFieldText, false);
      });
      if (block.accessory !== undefined) checkElement(c, block.accessory, `${at}/accessory`, 'section');
      break;
    }
    case 'header':
      c.text(block, 'text', at, { max: BLOCK_LIMITS.headerText, plainOnly: true, required: true });
      break;
    case 'context': {
      const elements = c.array(block, 'elements', at, {
        min: 1,
        max: BLOCK_LIMITS.contextElements,
        required: true,
      });
      elements?.forEach((e, i) => {
        checkElement(c, e, `${at}/elements/${i}`, 'context');
      });
      break;
    }
    case 'actions': {
      const elements = c.array(block, 'elements', at, {
        min: 1,
        max: BLOCK_LIMITS.actionsElements,
        required: true,
      });
      elements?.forEach((e, i) => {
        checkElement(c, e, `${at}/elements/${i}`, 'actions');
      });
      uniqueActionIds(c, elements ?? [], `${at}/elements`);
      break;
    }
    case 'input':
      if (c.surface === 'message') {
        c.fail('unsupported type: input (input blocks belong in modals and Home tabs)', `${at}/type`);
        return;
      }
      c.text(block, 'label', at, { max: BLOCK_LIMITS.inputLabel, plainOnly: true, required: true });
      c.text(block, 'hint', at, { max: BLOCK_LIMITS.inputHint, plainOnly: true });
      if (block.element === undefined) c.fail('missing required field: element', at);
      else checkElement(c, block.element, `${at}/element`, 'input');
      break;
    case 'image':
      imageElement(c, block, at);
      c.text(block, 'title', at, { max: BLOCK_LIMITS.imageTitle, plainOnly: true });
      break;
    case 'rich_text':
      checkRichText(c, block, at);
      break;
    case 'markdown': {
      const text = c.string(block, 'text', at, { required: true });
      c.markdownChars += text?.length ?? 0;
      if (c.markdownChars > BLOCK_LIMITS.markdownTotal) {
        c.fail(
          `cumulative markdown text must be less than ${BLOCK_LIMITS.markdownTotal + 1} characters`,
          `${at}/text`,
        );
      }
      break;
    }
    default:
      break;
  }
}

function uniqueActionIds(c: Checker, elements: unknown[], pointer: string): void {
  const seen = new Set<string>();
  elements.forEach((e, i) => {
    if (!isObject(e) || typeof e.action_id !== 'string') return;
    if (seen.has(e.action_id)) c.fail(`duplicate action_id: ${e.action_id}`, `${pointer}/${i}/action_id`);
    seen.add(e.action_id);
  });
}
