/**
 * The words the rules listen for: which verbs start work, which phrases hedge, joke, accept,
 * decline or report work done. Kept apart from the grammar that uses them (discussion-rules-clauses.ts).
 */

/** Verbs whose object is the work: "take dark mode", "own the fix", "dibs on stripe tax". */
export const TAKE_VERBS =
  /^(?:take|grab|own|handle|drive|pick up|pick|do|get|have|lead|cover|tackle|run with|start on|work on|look after)\s+/i;
export const PRONOUN_OBJECT =
  /^(?:it|that|this|them|both|those|these|one|the same|that one|this one|both of them|all of them|all three|that bit|the rest)(?:\s+(?:up|on|over|too|then|now|today|tomorrow|instead|as well))*\s*$/i;

/** Verbs that start no work ("I'll be out", "let's talk", "will watch it"). */
export const NON_TASK_VERBS = new Set([
  'be',
  'let',
  'talk',
  'discuss',
  'chat',
  'meet',
  'sync',
  'wait',
  'think',
  'celebrate',
  'see',
  'go',
  'hang',
  'catch',
  'keep',
  'consider',
  'note',
  'ignore',
  'enjoy',
  'stop',
  'thank',
  'know',
  'like',
  'love',
  'hope',
  'agree',
  'believe',
  'imagine',
  'hear',
  'watch',
  'revisit',
  'bring',
  'try',
  'collect',
  'stay',
  'leave',
  'say',
  'come',
  'circle',
  'report',
  'ping',
  'use',
  'need',
  'want',
  'owe',
  'buy',
  'grab',
  'join',
  'miss',
  'feel',
  'guess',
  'wonder',
  'mean',
  'appreciate',
  'live',
  'play',
  'eat',
  'sleep',
  'rest',
  'pass',
  'double',
]);

/** Verbs that make an order out of a bare imperative ("Fix the cookie flags"). */
export const ACTION_VERBS = new Set(
  (
    'add fix update create remove write deploy migrate implement investigate refactor document rename delete bump ' +
    'upgrade downgrade configure enable disable rotate review patch move replace audit backport revert ship release ' +
    'publish merge optimize optimise improve verify ensure schedule notify send draft prepare build install provision ' +
    'automate backfill split debug reproduce triage archive restore validate sanitize sanitise increase reduce expose ' +
    'integrate convert translate clean set setup test monitor file roll rollback drop tune benchmark replay purge ' +
    'quarantine resubmit redeploy reissue renew cancel book order contact email call check confirm share answer tell ' +
    'inform escalate assign raise lower cap limit alert page open close make change look find pull push run grant ' +
    'revoke block unblock collect'
  ).split(' '),
);

export const INTERJECTION =
  /^(?:ok(?:ay)?|so|yes|yeah|yep|yup|ya|sure|cool|great|right|alright|fair(?: enough| points?)?|good (?:catch(?:es)?|idea|point|one|call)|nice|perfect|thanks|thank you|ty|thx|ah|oh|hm+|well|also|and|but|then|real talk:?|fwiw|btw|tbh|honestly|anyway|agreed|true|makes sense|sounds good|noted|great idea|lol|haha|ugh|phew|welp|hey|hi|hello|done deal|deal|awesome|amazing|excellent|super|wow|omg)\b[\s,.!:;-]*/i;

export const HEDGE =
  /\b(?:maybe|perhaps|might|possibly|i think|i guess|i wonder|i feel|not sure|what if|ideally|at some point|eventually|some ?day|one day|in theory|or we could|we could|could also|would be nice|long term|in the future|worth (?:it|a)|tempting|vibes|shower thought|i would (?:go|keep|say|suggest|prefer|rather)|in an ideal world|if we ever|if there is time|if i have time|if time permits|when i get a chance)\b/i;

export const SARCASM =
  /🙃|🤡|🙄|:upside_down_face:|:clown_face:|:rolling_eyes:|(?:^|\s)\/s\b|what could (?:possibly )?go wrong|while we(?:'re| are) at it|that(?:'ll| will) only take|said no one|yeah right|😂|🤣|:joy:|\blol\b|\blmao\b|\brofl\b/i;

export const ACCEPT =
  /^(?:(?:yes|yep|yup|yeah|ya|sure|ok|okay|absolutely|certainly|of course|will do|on it|can do|happy to|got it|i have got (?:it|this)|i got (?:it|this)|leave it with me|consider it done|that is me|that would be me|mine|that is mine|it is mine|that one is mine|works for me|fine by me|sounds good|roger|ack|i am on it|i am in|mach ich|erledige ich|do it|doing it|adding|fixing|will fix|i will|i can)\b[\s,.!:;-]*)+/i;
/** Affirmations that say yes but not "I'll do it". */
export const SOFT_ACCEPT =
  /^(?:(?:yes|yep|yup|yeah|ya|sure|ok|okay|absolutely|certainly|of course|works for me|fine by me|sounds good|roger|ack|got it)\b[\s,.!:;-]*)+$/i;
export const EMOJI_ONLY =
  /^(?:\s|:[a-z0-9_+-]+:|\p{Extended_Pictographic}|\p{Emoji_Modifier}|\u200d|\ufe0f)+$/u;
export const AFFIRMATIVE_EMOJI = /👍|🙆|✅|:\+1:|:thumbsup:|:ok_hand:|👌|🫡/u;

export const DECLINE =
  /^(?:no|nope|nah|not me|not it|i cannot|cannot|can not|sorry,? i cannot|not today|not this week|not really my area|i am out|no time|no bandwidth|pass)\b/i;
export const DONE =
  /^(?:done|fixed|merged|deployed|shipped|sent|resolved|closed|already did|already done|already fixed|did it|just did|rolled back|restarted|addressed all|addressed|applied|approved|refunded|revoked|halted|communication sent|erledigt|✅|:white_check_mark:|:heavy_check_mark:)(?=$|[\s,.!:;-])/i;

export const ROLE =
  /^(?:the\s+)?(?:on-?call(?:\s+(?:engineer|person))?|qa|support|sre|ops|security(?: team)?|legal|finance|the chair|platform(?: team)?|infra(?: team)?|engineering|eng|design|product|marketing|release manager|someone from \w+)\s+/i;

/** Leading emoji, and labels such as "Owners:" or "plan for Thursday's drill:" before the clause proper. */
export const LEAD_NOISE =
  /^(?:(?::[a-z0-9_+-]+:|\p{Extended_Pictographic}|\ufe0f|\u200d)\s*)+|^(?:owners?|assignees?|plan|update|note|fyi|ps|re|actions?|blockers?|blocked(?: on)?|ask)\b[^:]{0,40}:\s+/iu;

/** When, why and on what condition: said after the work, never part of what the work is. */
export const TAIL =
  /\s+(?:once|when|after|before|if|unless|as soon as|so that|so|because|since|by|until|on|in|at|for|first thing|right|then|this|next|today|tonight|tomorrow|later|now|asap|the (?:day|week)|end of|eod|(?:mon|tues|wednes|thurs|fri|satur|sun)day)\b.*$/i;
/** Lunch, drinks and parties are plans, not work. */
export const SOCIAL =
  /\b(?:lunch|dinner|ramen|pizza|coffee|beers?|drinks|party|table for|a table|cake|karaoke|birthday|weekend)\b/i;
