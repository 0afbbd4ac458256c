import { ACCEPT, ACTION_VERBS, ROLE } from './discussion-rules-lexicon.js';
import {
  askOwner,
  askSomeone,
  type Clause,
  type ClauseContext,
  clause,
  leadingName,
  type OwnerRef,
  ownerOf,
  trailingName,
} from './discussion-rules-owners.js';
import { expand } from './discussion-rules-text.js';
import {
  firstWord,
  imperative,
  isVerb,
  noWork,
  stripInterjections,
  workOf,
} from './discussion-rules-work.js';

/**
 * The speech acts that make work: committing ("I'll add…"), asking ("can you…", "can someone…"),
 * assigning ("Hal takes…"), listing ("Action items: …"), stating a team obligation ("we need to…",
 * weak until someone takes it) and ordering (a bare imperative).
 */

export function listedItem(body: string, byMe: OwnerRef | null, ctx: ClauseContext): Clause | null {
  if (/^(?:[\w ]{1,20}:\s*)?(?:all|everyone|everybody|team)\b/i.test(body)) return null; // "ALL - read the policy"
  if (/^(?:none|nothing|n\/a|-)\.?$/i.test(body.trim())) return null;
  // A list line may still say who: reuse the sentence rules, then the note-taking shapes.
  const inner =
    commitment(
      stripInterjections(body),
      ctx,
      ctx.author ? { kind: 'user', id: ctx.author, sure: true } : { kind: 'none' },
    ) ??
    request(body, ctx, false) ??
    assignment(body, ctx);
  if (inner && inner.kind !== 'obligation')
    return { ...inner, kind: 'listed', weak: false, owner: byMe ?? inner.owner };
  const lead = leadingName(body, ctx);
  if (lead && lead.sep.length > 0) return clause('listed', lead.rest, byMe ?? lead.owner);
  const trail = trailingName(body, ctx);
  if (trail) return clause('listed', trail.rest, byMe ?? trail.owner);
  const obliged = obligation(body);
  if (obliged) return { ...obliged, kind: 'listed', weak: false, owner: byMe ?? obliged.owner };
  return clause('listed', body, byMe ?? { kind: 'none' });
}

/** A hedged suggestion is an ask only if someone then takes it ("maybe tell them…" → "will do"). */
export function weakHedged(text: string, ctx: ClauseContext): Clause | null {
  if (ctx.question) return null;
  const stripped = text.replace(/^(?:\S+\s*,\s*)?(?:maybe|perhaps|possibly)\s+/i, '');
  if (imperative(stripped)) return clause('request', stripped, askOwner(ctx), { weak: true, hedged: true });
  const we =
    /^(?:we|you)\s+(?:should|could|might want to|may want to|need to|have to)\s+(?:probably\s+|also\s+)?(.+)$/i.exec(
      stripped,
    );
  if (we?.[1] && !noWork(we[1]))
    return clause('obligation', we[1], { kind: 'none' }, { weak: true, hedged: true });
  return null;
}

export function commitment(text: string, ctx: ClauseContext, author: OwnerRef): Clause | null {
  // "I'll ask Dave to …"
  const m =
    /^(?:i|me)\s+(?:will|shall|am going to|am about to|can|could|am happy to|would be happy to|plan to|need to|have to|must|should|want to)\s+(?:also\s+|just\s+|probably\s+|definitely\s+|still\s+|then\s+|first\s+)*(not\s+)?(.+)$/i.exec(
      text,
    ) ??
    /^(?:will|shall|going to|am going to|about to)\s+(?:also\s+|just\s+|then\s+)*(not\s+)?(.+)$/i.exec(
      text,
    ) ??
    /^(?:let me|allow me to)\s+()(.+)$/i.exec(text) ??
    /^(?:dibs on|i call dibs on|i am on|i will be on|mine:|todo\(me\):?)\s*()(.+)$/i.exec(text) ??
    /^(?:i|we)\s+(?:am|are)\s+(?:taking|handling|owning)\s+()(.+)$/i.exec(text);
  if (m) {
    if (m[1]) return null; // "I will not …"
    let action = (m[2] ?? '').trim();
    if (
      /^(?:be|have been|take a look later|try)\b/i.test(action) &&
      !/^have\s+(?:a|the)\s+(?:pr|fix|draft)/i.test(action)
    )
      return null;
    const viaSomeone = askSomeone(action, ctx);
    if (viaSomeone) return clause('commit', viaSomeone.action, viaSomeone.owner);
    if (noWork(action)) return null;
    const work = workOf(action);
    action = work.action;
    const weak = /^i\s+(?:could|want to|should)\b/i.test(text);
    return clause('commit', action, author, { refersBack: work.refersBack, weak, all: work.all });
  }
  if (/^(?:that|this|it)\s+is\s+(?:mine|on me)\b/i.test(text) || /^(?:mine|on me)\b/i.test(text)) {
    return clause('commit', 'it', author, { refersBack: true });
  }
  if (ACCEPT.test(text) && text.replace(ACCEPT, '').trim().length === 0) {
    return clause('accept', '', author, { soft: false });
  }
  return null;
}

export function request(text: string, ctx: ClauseContext, question: boolean): Clause | null {
  // Name first: "Zoé can you…", "Farah, please…", "Eli you're on…", "Cem can u…".
  const lead = leadingName(text, ctx);
  if (lead) {
    const r =
      /^(?:(?:can|could|would|will)\s+you|you\s+(?:will|can|could|should|need to|have to|are going to|are on|own|take|get|drive|are driving)|please|mind|to|will|is going to|takes|owns|handles|drives|is on|gets)\s+(?:please\s+)?(?:also\s+)?(?:be (?:willing|able|happy) to\s+)?(.+)$/i.exec(
        lead.rest,
      );
    if (r?.[1]) {
      if (/^(?:is|it is)\s+yours\b/i.test(lead.rest))
        return clause('request', 'it', lead.owner, { refersBack: true });
      const work = workOf(r[1]);
      if (noWork(work.action)) return null;
      return clause('request', work.action, lead.owner, { refersBack: work.refersBack, all: work.all });
    }
    if (/^(?:it is|that is|this is)\s+yours\b/i.test(lead.rest)) {
      return clause('request', 'it', lead.owner, { refersBack: true });
    }
    if (lead.sep === ',' && imperative(lead.rest)) return clause('request', lead.rest, lead.owner);
  }
  if (/^(?:it is|that is|this is)\s+yours\b/i.test(text)) {
    const trail = trailingName(text, ctx);
    return clause('request', 'it', trail?.owner ?? askOwner(ctx), { refersBack: true });
  }

  const trail = trailingName(text, ctx);
  const body = trail?.rest ?? text;
  const you =
    /^(?:(?:can|could|would|will)\s+you|would you mind|do you mind|mind|any chance you could|you\s+(?:will|are going to|should|need to|have to|must|can|could)(?:\s+(?:want|need|have) to)?|you\s+(?:take|get|own))\s+(?:please\s+)?(?:also\s+)?(?:be (?:willing|able|happy) to\s+)?(.+)$/i.exec(
      body,
    );
  if (you?.[1]) {
    if (/^you\s+(?:should|can|could)\b/i.test(body) && !question && !trail) return null; // advice, not an ask
    const work = workOf(you[1]);
    if (noWork(work.action)) return null;
    return clause('request', work.action, trail?.owner ?? askOwner(ctx), { refersBack: work.refersBack });
  }
  const open =
    /^(?:(?:can|could|would|will)\s+(?:someone|somebody|anyone|anybody|one of you|you all|y'all|we get someone to)|(?:someone|somebody|anyone)\s+(?:needs to|should|has to|must|please|to|can|could)|(?:who|anyone)\s+(?:can|could|wants? to|will|is able to|able to|has time to|has cycles to)|(?:is\s+)?anyone\s+able\s+to|(?:i|we)?\s*need\s+(?:someone|somebody|a volunteer(?:\s+\w+)?|volunteers?)\s+(?:to|for))\s+(?:please\s+)?(?:also\s+)?(.+)$/i.exec(
      body.replace(/\b(someone|somebody|anyone)\s+(?:from|on|in)\s+(?:the\s+)?[\w-]+(?:\s+team)?\b/i, '$1'),
    );
  if (open?.[1]) {
    const work = workOf(open[1]);
    if (noWork(work.action)) return null;
    return clause('request', work.action, trail?.owner ?? { kind: 'open' }, { refersBack: work.refersBack });
  }
  const wish = /^(?:it )?would be (?:great|awesome|good|nice|amazing) if\s+(@?\S+)\s+could\s+(.+)$/i.exec(
    body,
  );
  if (wish?.[1] && wish[2]) {
    const owner = /^(?:someone|somebody|anyone)$/i.test(wish[1])
      ? { kind: 'open' as const }
      : ownerOf(wish[1], ctx);
    if (owner) return clause('request', wish[2], owner);
  }
  const please = /^(?:please\s+(.+)|(.+?),?\s+please[.!]?)$/i.exec(body);
  const asked = please?.[1] ?? please?.[2];
  if (asked && (imperative(asked) || isVerb(firstWord(asked))) && !noWork(asked)) {
    return clause('request', asked, trail?.owner ?? askOwner(ctx));
  }
  const role = ROLE.exec(body);
  if (role) {
    const rest = body.slice(role[0].length);
    const duty = /^(?:needs? to|should|will|must|to|has to|is to|can)\s+(.+)$/i.exec(rest);
    if (duty?.[1] && !noWork(duty[1])) return clause('request', duty[1], { kind: 'open' });
    const third = /^(runs|posts|sends|does|takes|writes|books|updates)\s+(.+)$/i.exec(rest);
    if (third?.[1] && third[2]) {
      const base = third[1].toLowerCase() === 'does' ? 'do' : third[1].replace(/s$/i, '');
      return clause('request', `${base} ${third[2]}`, { kind: 'open' });
    }
    if (third?.[1] && third[2])
      return clause(
        'request',
        `${third[1].replace(/e?s$/i, (m) => (/(?:ss|sh|ch|x)es$/i.test(third[1]!) ? '' : m === 'es' && !/oes$/i.test(third[1]!) ? 'e' : ''))} ${third[2]}`,
        { kind: 'open' },
      );
  }
  if (question) {
    // "can we bump the memory limit?" asks the team; someone has to take it.
    const team = /^(?:can|could|shall)\s+we\s+(?:please\s+)?(?:also\s+)?(.+)$/i.exec(body);
    if (team?.[1] && !noWork(team[1])) return clause('obligation', team[1], { kind: 'open' }, { weak: true });
  }
  return null;
}

export function obligation(text: string): Clause | null {
  const decided =
    /^(?:we\s+)?(?:agreed|decided|decision)\s*(?:to|that|:)?\s*(?:we\s+(?:will|would)\s+)?(.+)$/i.exec(text);
  if (decided?.[1] && !noWork(decided[1]) && isVerb(firstWord(decided[1]))) {
    return clause('obligation', decided[1], { kind: 'none' });
  }
  const m =
    /^(?:we|the team|team|y'all|you all|you guys|everyone)\s+(?:really\s+|also\s+|still\s+|definitely\s+|just\s+|then\s+)*(need to|have to|must|should|ought to|will need to|will have to|will|are going to|want to)\s+(?:also\s+|still\s+|definitely\s+|probably\s+|really\s+)*(not\s+)?(.+)$/i.exec(
      text,
    );
  if (m?.[3]) {
    if (m[2]) return null;
    if (noWork(m[3])) return null;
    const weak =
      !/^(?:will|are going to)$/i.test(m[1] ?? '') || /^we\s+will\s+(?:see|have|need)\b/i.test(text);
    return clause('obligation', m[3], { kind: 'none' }, { weak });
  }
  const need =
    /^(?:(?:we|i)\s+)?(?:still\s+|also\s+|really\s+)*need\s+(?!to\b|someone|somebody|a volunteer)((?:a|an|the|some|to have|access|approval|help|a review)\b.+)$/i.exec(
      text,
    );
  if (need?.[1])
    return clause('obligation', need[1].replace(/^to have\s+/i, ''), { kind: 'none' }, { weak: true });
  const passive =
    /^(.+?)\s+(?:needs|has|have|need)\s+to\s+be\s+(\w+ed|done|written|built|set up|sent|rotated)\b(.*)$/i.exec(
      text,
    );
  if (passive?.[1] && passive[2]) {
    return clause(
      'obligation',
      `${passive[2]} ${passive[1]}${passive[3] ?? ''}`,
      { kind: 'none' },
      { weak: true },
    );
  }
  const lets = /^let us\s+(?:also\s+|just\s+)?(.+)$/i.exec(text);
  if (lets?.[1]) {
    const action = lets[1];
    if (noWork(action) || !ACTION_VERBS.has(firstWord(action))) return null;
    return clause('obligation', action, { kind: 'none' });
  }
  return null;
}

/** "…, Ines onboarding, Jonas the export rewrite": a name and its share, the verb said once before. */
export function gappedAssignment(text: string, ctx: ClauseContext): Clause | null {
  const lead = leadingName(stripInterjections(expand(text)), ctx);
  if (lead?.owner.kind !== 'user' || lead.rest.split(/\s+/).length > 8) return null;
  return clause('request', lead.rest.replace(/[.!]+$/, ''), lead.owner);
}

/** "Hal takes reliability", "Gia books the venue", "Vikram to document…", "Petra — migrate …". */
export function assignment(text: string, ctx: ClauseContext): Clause | null {
  const lead = leadingName(text, ctx);
  if (!lead) return null;
  const to = /^(?:to|is to|will|is going to|shall|should|must|needs to|has to)\s+(.+)$/i.exec(lead.rest);
  if (to?.[1]) {
    if (noWork(to[1])) return null;
    return clause('request', workOf(to[1]).action, lead.owner);
  }
  const verb = firstWord(lead.rest);
  if (
    /^[a-z]+s$/.test(verb) &&
    !/^(?:is|has|does|says|thinks|knows|seems|looks|wants|likes|loves|needs|was|uses|gets|means|agrees|feels)$/.test(
      verb,
    )
  ) {
    const base = verb
      .replace(/(?:ches|shes|sses|xes)$/, (s) => s.slice(0, -2))
      .replace(/ies$/, 'y')
      .replace(/s$/, '');
    if (ACTION_VERBS.has(base) || /^(?:takes|owns|handles|drives|leads|covers)$/.test(verb)) {
      const work = workOf(`${base} ${lead.rest.slice(verb.length).trim()}`);
      return clause('request', work.action, lead.owner, { refersBack: work.refersBack });
    }
  }
  if (lead.sep.length > 0 && lead.sep !== ',' && imperative(lead.rest))
    return clause('request', lead.rest, lead.owner);
  return null;
}

/** A bare imperative: "Fix the flaky test", "Matt please fix the cache key", "rollback now". */
export function order(text: string, ctx: ClauseContext): Clause | null {
  if (!imperative(text)) return null;
  if (noWork(text)) return null;
  return clause('imperative', text, askOwner(ctx));
}
