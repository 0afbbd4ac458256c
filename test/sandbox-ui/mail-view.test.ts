import { describe, expect, it } from 'vitest';
import { renderMail } from '../../src/sandbox/public/mail-view.js';

const email = {
  headers: { subject: 'Task <b>X</b> ready', from: 'bot@x', to: 'a@x', cc: '', date: 'Wed, 2 Dec 2026' },
  text: 'Hello\n<script>alert(1)</script>',
  html: '<p onclick="x()">Hello "there"</p><script>alert(1)</script>',
  attachments: [{ filename: 'r.csv', contentType: 'text/csv', size: 2048 }],
};

describe('renderMail', () => {
  it('shows the headers, the text and the attachments escaped, and the HTML only inside a sandboxed frame', () => {
    const html = renderMail({ raw: 'Subject: =?UTF-8?Q?x?=\r\n\r\nbody', email });
    expect(html).toContain('<dt>Subject</dt><dd>Task &lt;b&gt;X&lt;/b&gt; ready</dd>');
    expect(html).not.toContain('<dt>Cc</dt>');
    expect(html).toContain(
      '<pre class="mail-text" data-testid="mail-text">Hello\n&lt;script&gt;alert(1)&lt;/script&gt;</pre>',
    );
    expect(html).toContain('<li>r.csv <span>text/csv · 2 KB</span></li>');
    // The HTML part is an attribute of an iframe that may run nothing: no script, no same origin.
    const frame = /<iframe[^>]*>/.exec(html)?.[0] ?? '';
    expect(frame).toContain('sandbox=""');
    expect(frame).toContain(
      'srcdoc="&lt;p onclick=&quot;x()&quot;&gt;Hello &quot;there&quot;&lt;/p&gt;&lt;script&gt;',
    );
    expect(html.replace(frame, '')).not.toMatch(/<script|<p onclick/);
    expect(html).toContain(
      '<pre class="mail-raw" data-testid="mail-raw">Subject: =?UTF-8?Q?x?=\r\n\r\nbody</pre>',
    );
  });

  it('falls back to the raw message when the server sent no decoded email', () => {
    expect(renderMail({ raw: 'Subject: a' })).toContain(
      '<pre class="mail-raw" data-testid="mail-raw">Subject: a</pre>',
    );
    expect(renderMail({ error: 'no such message' })).toContain('no such message');
  });
});
