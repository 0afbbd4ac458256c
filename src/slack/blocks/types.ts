/**
 * Block Kit types, taken from Bolt's re-export of `@slack/types` so that the project depends only on
 * `@slack/bolt` (which pins the `@slack/types` version it was built with).
 */
import type { types } from '@slack/bolt';

export type KnownBlock = types.KnownBlock;
export type ActionsBlock = types.ActionsBlock;
export type ContextBlock = types.ContextBlock;
export type SectionBlock = types.SectionBlock;
export type HeaderBlock = types.HeaderBlock;
export type InputBlock = types.InputBlock;
export type DividerBlock = types.DividerBlock;
export type Button = types.Button;
export type ConfirmationDialog = types.ConfirmationDialog;
export type PlainTextElement = types.PlainTextElement;
export type MrkdwnElement = types.MrkdwnElement;
export type PlainTextOption = types.PlainTextOption;
export type View = types.View;
export type ModalView = types.ModalView;
export type HomeView = types.HomeView;

/** What chat.postMessage / chat.update / chat.postEphemeral take from a builder. */
export interface MessagePayload {
  /** Fallback for notifications and screen readers; parsed as mrkdwn by Slack, so made safe. */
  text: string;
  blocks: KnownBlock[];
}
