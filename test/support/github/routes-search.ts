import type { RouteContext } from './context.js';
import { ok, validationFailed } from './http.js';
import type { StandInIssue } from './models.js';
import { issueJson } from './routes-issues.js';

/**
 *   GET /search/issues   q: "quoted phrases", bare words, repo:, in:title|body, is:issue|pr, is:open|closed
 * Only issues in `searchIndex` are found: with `searchLag`, new issues reach it on `indexSearch()`,
 * GitHub's eventual consistency without timing.
 */
export function registerSearchRoutes(rc: RouteContext): void {
  rc.router.add('GET /search/issues', ({ query }) => {
    const q = query.get('q');
    if (!q) return validationFailed([{ resource: 'Search', field: 'q', code: 'missing' }]);
    const terms = parseQuery(q);
    for (const r of terms.repos) {
      if (!rc.state.repos.has(r.toLowerCase())) {
        return validationFailed([
          {
            message: `The listed users and repositories cannot be searched either because the resources do not exist or you do not have permission to view them.`,
            resource: 'Search',
            field: 'q',
            code: 'invalid',
          },
        ]);
      }
    }
    const items: StandInIssue[] = [];
    for (const [full, repo] of rc.state.repos) {
      if (terms.repos.length > 0 && !terms.repos.some((r) => r.toLowerCase() === full)) continue;
      for (const issue of repo.issues) {
        if (!rc.searchIndex.has(issue)) continue;
        if (terms.isIssue === true && issue.pull_request) continue;
        if (terms.isIssue === false && !issue.pull_request) continue;
        if (terms.state && issue.state !== terms.state) continue;
        const haystack = [
          terms.inFields.has('title') ? issue.title : '',
          terms.inFields.has('body') ? (issue.body ?? '') : '',
        ]
          .join('\n')
          .toLowerCase();
        if (terms.phrases.every((p) => haystack.includes(p.toLowerCase()))) items.push(issue);
      }
    }
    const perPage = Math.min(100, Math.max(1, Number(query.get('per_page') ?? 30) || 30));
    return ok({
      total_count: items.length,
      incomplete_results: false,
      items: items.slice(0, perPage).map((i) => ({ ...issueJson(rc, i), score: 1 })),
    });
  });
}

interface SearchTerms {
  phrases: string[];
  repos: string[];
  inFields: Set<'title' | 'body'>;
  isIssue: boolean | undefined;
  state: 'open' | 'closed' | undefined;
}

/** GitHub search syntax, the part we need: "quoted phrases", words, and qualifiers. */
function parseQuery(q: string): SearchTerms {
  const terms: SearchTerms = {
    phrases: [],
    repos: [],
    inFields: new Set(),
    isIssue: undefined,
    state: undefined,
  };
  for (const match of q.matchAll(/"([^"]*)"|(\S+)/g)) {
    const quoted = match[1];
    const word = match[2];
    if (quoted !== undefined) {
      if (quoted.trim()) terms.phrases.push(quoted);
      continue;
    }
    if (!word) continue;
    const [key, value] = word.includes(':')
      ? [word.slice(0, word.indexOf(':')), word.slice(word.indexOf(':') + 1)]
      : ['', word];
    if (key === 'repo') terms.repos.push(value);
    else if (key === 'in') {
      for (const f of value.split(',')) if (f === 'title' || f === 'body') terms.inFields.add(f);
    } else if ((key === 'is' || key === 'type') && (value === 'issue' || value === 'pr')) {
      terms.isIssue = value === 'issue';
    } else if ((key === 'is' || key === 'state') && (value === 'open' || value === 'closed'))
      terms.state = value;
    else terms.phrases.push(word);
  }
  if (terms.inFields.size === 0) {
    terms.inFields.add('title');
    terms.inFields.add('body');
  }
  return terms;
}
