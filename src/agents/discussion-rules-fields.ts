import type { Priority } from '../domain/task.js';
import { TITLE_MAX } from '../domain/task.js';
import { truncate } from '../domain/text.js';
import { normaliseLabels } from './discussion-schema.js';

/** The fields of a task the rules fill in from its words: title, priority, labels. */

const PRIORITY_RULES: Array<[RegExp, Priority]> = [
  [
    /\b(blocker|blocking|critical|outage|sev ?[01]|p0|production is down|prod is down|data incident)\b/i,
    'CRITICAL',
  ],
  [
    /\b(urgent|urgently|asap|a\.s\.a\.p|high priority|top priority|important|sev ?2|p1|right away|immediately)\b/i,
    'HIGH',
  ],
  [
    /\b(low priority|low-priority|nice to have|nice-to-have|no rush|when you get a chance|when you have time|someday|eventually|p3|p4)\b/i,
    'LOW',
  ],
];

export function findPriority(text: string): Priority | null {
  for (const [pattern, priority] of PRIORITY_RULES) if (pattern.test(text)) return priority;
  return null;
}

const LABEL_RULES: Array<[RegExp, string]> = [
  [/\b(bugs?|broken|crash(es|ing)?|regressions?|fix(es|ing)?|hotfix|defects?)\b/i, 'bug'],
  [
    /\b(security|vulnerab\w*|cve-?\d*|xss|csrf|injection|leak(ed|s)?|secrets?|credentials?|api keys?|tokens?|permissions?|samesite|csp|tls|ssl|certs?|certificates?)\b/i,
    'security',
  ],
  [
    /\b(docs?|documentation|documents?|readme|runbooks?|changelog|wiki|guide|write ?up|postmortem)\b/i,
    'docs',
  ],
  [
    /\b(frontend|front-end|ui|ux|css|react|button|browser|safari|chrome|firefox|modal|page|layout)\b/i,
    'frontend',
  ],
  [
    /\b(backend|back-end|api|endpoints?|database|db|sql|server|queries|query|migrations?|schema|orders?)\b/i,
    'backend',
  ],
  [
    /\b(infra|infrastructure|deploy\w*|kubernetes|k8s|helm|terraform|ci|pipelines?|docker|aws|gcp|dns|proxy|nginx|alerts?|alerting|monitoring|dashboards?|staging|cluster|hpa|replicas?)\b/i,
    'infra',
  ],
  [/\b(tests?|testing|e2e|unit tests?|coverage|flaky|qa)\b/i, 'test'],
];

export function findLabels(text: string): string[] {
  return normaliseLabels(LABEL_RULES.filter(([pattern]) => pattern.test(text)).map(([, label]) => label));
}

/** Words said only to convey priority, politeness or time, dropped from titles. */
const NOISE_WORDS =
  /\b(?:asap|a\.s\.a\.p\.?|urgently|right away|immediately|as soon as possible|please|if possible|at some point|now-ish|right now|now|real quick|quickly|first thing|for now|in a bit|properly|too|as well|also|finally|just)\b/gi;

/** Where a title stops: reasons, asides and follow-on remarks. */
const TITLE_END =
  /\s*[,;]\s*(?:it|it is|this|that|because|since|so|otherwise|as|which|then|but|thanks|thx|ty|small pr|been meaning to|no rush|not blocking|if|once|when|we|i|you)\b|\s+(?:because|since|so that|so|otherwise|once|if it is|if that is)\s+|\s+[-\u2013\u2014]\s+|\s*;|\s+\(|\?|!|\.\s|\.$/i;

/** A verb phrase → a short imperative title: "bump it to 2Gi, small PR" → "Bump it to 2Gi". */
export function makeTitle(action: string, remove: readonly string[]): string {
  let title = action;
  for (const phrase of remove) if (phrase) title = title.replace(phrase, ' ');
  title = title.split(TITLE_END)[0] ?? title;
  title = title
    .replace(NOISE_WORDS, ' ')
    .replace(/^\s*(?:to|and|also|then|,)\s+/i, '')
    .replace(/\s+(?:by|before|until|on|for|at|in)\s*$/i, '')
    .replace(/\s+/g, ' ')
    .replace(/[\s,.:;!]+$/, '')
    .trim();
  if (title.length === 0) return '';
  return truncate(title.charAt(0).toUpperCase() + title.slice(1), TITLE_MAX);
}
