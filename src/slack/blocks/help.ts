/** Ephemeral help for `/extract` with no argument. */
import { context, header, section } from './elements.js';
import type { MessagePayload } from './types.js';

export function buildHelpMessage(): MessagePayload {
  return {
    text: 'How to extract tasks: /extract <thread link>, /extract <text>, the "Extract tasks" shortcut, or @Orchestrator extract in a thread.',
    blocks: [
      header('Extract tasks from a discussion'),
      section(
        [
          '*From a thread link*',
          '`/extract https://your-team.slack.com/archives/C0123456789/p1712345678901234`',
          '_Copy the link with “Copy link” on the thread’s first message._',
        ].join('\n'),
      ),
      section(
        [
          '*From free text*',
          '`/extract The login page times out on mobile; Ana will fix it by Friday. Also add rate limits to the API.`',
        ].join('\n'),
      ),
      section(
        [
          '*From the message menu*',
          'On the thread’s first message, open *More actions* (⋮) and choose *Extract tasks*.',
        ].join('\n'),
      ),
      section(['*Inside a thread*', 'Write `@Orchestrator extract` as a reply in the thread.'].join('\n')),
      context(
        'Each task is posted as a card in the thread, to edit, approve and execute. The bot must be in the channel to read it.',
      ),
    ],
  };
}
