import { inRepo, type RouteContext } from './context.js';
import { failure, fields, isoNow, notFound, ok, paginate, str, validationFailed } from './http.js';
import type { ReviewState, StandInPull, StandInReview, StandInReviewComment } from './models.js';
import { findPull, pullJson } from './routes-pulls.js';
import type { Repo } from './state.js';

/**
 * Review requests, reviews and review comments on pull requests:
 *
 *   GET/POST/DELETE /repos/:o/:r/pulls/:n/requested_reviewers   {reviewers}; 422 for a non-collaborator
 *                                                               or the author
 *   GET  /repos/:o/:r/pulls/:n/reviews, GET …/reviews/:id
 *   POST /repos/:o/:r/pulls/:n/reviews      {event APPROVE|REQUEST_CHANGES|COMMENT, body, comments}
 *                                           422 approving or requesting changes on one's own PR
 *   GET  /repos/:o/:r/pulls/:n/comments, GET /repos/:o/:r/pulls/comments (?since=, all PRs)
 *   POST /repos/:o/:r/pulls/:n/comments     {body, path, line, commit_id} or {body, in_reply_to}
 * Emits pull_request review_requested, pull_request_review submitted, and
 * pull_request_review_comment created.
 */

const EVENT_STATE: Record<string, ReviewState> = {
  APPROVE: 'APPROVED',
  REQUEST_CHANGES: 'CHANGES_REQUESTED',
  COMMENT: 'COMMENTED',
};

export function registerReviewRoutes(rc: RouteContext): void {
  const { router, state } = rc;

  const reviewJson = (repo: Repo, r: StandInReview) => ({
    id: r.id,
    node_id: `PRR_${r.id}`,
    user: state.user(r.user.login),
    body: r.body,
    state: r.state,
    commit_id: r.commit_id,
    submitted_at: r.state === 'PENDING' ? undefined : r.submitted_at,
    html_url: state.htmlUrl(repo, `/pull/${r.pull}#pullrequestreview-${r.id}`),
    pull_request_url: state.apiUrl(repo, `/pulls/${r.pull}`),
    author_association: authorAssociation(repo, r.user.login),
  });

  const commentJson = (repo: Repo, c: StandInReviewComment) => ({
    ...c,
    user: state.user(c.user.login),
    pull_request_review_id: c.review_id,
    html_url: state.htmlUrl(repo, `/pull/${c.pull}#discussion_r${c.id}`),
    url: state.apiUrl(repo, `/pulls/comments/${c.id}`),
    pull_request_url: state.apiUrl(repo, `/pulls/${c.pull}`),
    author_association: authorAssociation(repo, c.user.login),
  });

  const emitRequested = (repo: Repo, pull: StandInPull, login: string, reviewer: string) =>
    state.emit(
      repo,
      'pull_request',
      {
        action: 'review_requested',
        number: pull.number,
        pull_request: pullJson(rc, repo, pull),
        requested_reviewer: state.user(reviewer),
      },
      login,
    );

  router.add(
    'GET /repos/:owner/:repo/pulls/:number/requested_reviewers',
    inRepo(rc, ({ params }, repo) => {
      const pull = findPull(repo, params.number);
      return pull ? ok({ users: pull.requested_reviewers.map((l) => state.user(l)), teams: [] }) : notFound();
    }),
  );

  router.add(
    'POST /repos/:owner/:repo/pulls/:number/requested_reviewers',
    inRepo(rc, ({ params, body, login }, repo) => {
      const pull = findPull(repo, params.number);
      if (!pull) return notFound();
      const reviewers = (fields(body).reviewers as unknown[] | undefined)?.map(String) ?? [];
      if (reviewers.includes(pull.user.login)) {
        return validationFailed([], 'Review cannot be requested from pull request author.');
      }
      if (reviewers.some((r) => !state.users.has(r) || (repo.permissions.get(r) ?? 'none') === 'none')) {
        return validationFailed(
          [],
          `Reviews may only be requested from collaborators. One or more of the users or teams you specified is not a collaborator of the ${repo.full} repository.`,
        );
      }
      for (const r of reviewers.filter((x) => !pull.requested_reviewers.includes(x))) {
        pull.requested_reviewers.push(r);
        emitRequested(repo, pull, login, r);
      }
      return ok(pullJson(rc, repo, pull), 201);
    }),
  );

  router.add(
    'DELETE /repos/:owner/:repo/pulls/:number/requested_reviewers',
    inRepo(rc, ({ params, body }, repo) => {
      const pull = findPull(repo, params.number);
      if (!pull) return notFound();
      const gone = (fields(body).reviewers as unknown[] | undefined)?.map(String) ?? [];
      pull.requested_reviewers = pull.requested_reviewers.filter((r) => !gone.includes(r));
      return ok(pullJson(rc, repo, pull));
    }),
  );

  router.add(
    'GET /repos/:owner/:repo/pulls/:number/reviews',
    inRepo(rc, ({ params, query }, repo) => {
      if (!findPull(repo, params.number)) return notFound();
      const list = repo.reviews.filter((r) => String(r.pull) === params.number);
      return ok(paginate(list, query).map((r) => reviewJson(repo, r)));
    }),
  );

  router.add(
    'GET /repos/:owner/:repo/pulls/:number/reviews/:id',
    inRepo(rc, ({ params }, repo) => {
      const r = repo.reviews.find((x) => String(x.pull) === params.number && String(x.id) === params.id);
      return r ? ok(reviewJson(repo, r)) : notFound();
    }),
  );

  router.add(
    'POST /repos/:owner/:repo/pulls/:number/reviews',
    inRepo(rc, ({ params, body, login }, repo) => {
      const pull = findPull(repo, params.number);
      if (!pull) return notFound();
      const f = fields(body);
      const event = str(f.event);
      const reviewState: ReviewState = event ? (EVENT_STATE[event] ?? 'PENDING') : 'PENDING';
      if (event && !EVENT_STATE[event]) return validationFailed([], `Unknown event ${event}`);
      const text = str(f.body) ?? '';
      if (pull.user.login === login && reviewState === 'APPROVED') {
        return failure(422, 'Unprocessable Entity', { errors: ['Can not approve your own pull request'] });
      }
      if (pull.user.login === login && reviewState === 'CHANGES_REQUESTED') {
        return failure(422, 'Unprocessable Entity', {
          errors: ['Can not request changes on your own pull request'],
        });
      }
      if (
        (reviewState === 'CHANGES_REQUESTED' || reviewState === 'COMMENTED') &&
        !text &&
        !Array.isArray(f.comments)
      ) {
        return failure(422, 'Unprocessable Entity', {
          errors: [`Review Can not ${event?.toLowerCase()} without a body`],
        });
      }
      const head = repo.refs.get(`refs/heads/${pull.head.ref}`) ?? '';
      const review: StandInReview = {
        id: state.nextId(),
        pull: pull.number,
        user: { login },
        body: text,
        state: reviewState,
        commit_id: str(f.commit_id) ?? head,
        submitted_at: isoNow(),
      };
      repo.reviews.push(review);
      for (const raw of Array.isArray(f.comments) ? f.comments : []) {
        const c = fields(raw);
        addReviewComment(repo, pull, login, {
          body: str(c.body) ?? '',
          path: str(c.path) ?? '',
          line: typeof c.line === 'number' ? c.line : null,
          commit_id: review.commit_id,
          review_id: review.id,
        });
      }
      if (reviewState !== 'PENDING') {
        pull.requested_reviewers = pull.requested_reviewers.filter((r) => r !== login);
        state.emit(
          repo,
          'pull_request_review',
          {
            action: 'submitted',
            review: { ...reviewJson(repo, review), state: reviewState.toLowerCase() },
            pull_request: pullJson(rc, repo, pull),
          },
          login,
        );
      }
      return ok(reviewJson(repo, review));
    }),
  );

  const addReviewComment = (
    repo: Repo,
    pull: StandInPull,
    login: string,
    c: Pick<StandInReviewComment, 'body' | 'path' | 'line' | 'commit_id' | 'review_id'> & {
      in_reply_to_id?: number;
    },
  ): StandInReviewComment => {
    const now = isoNow();
    const comment: StandInReviewComment = {
      id: state.nextId(),
      pull: pull.number,
      user: { login },
      side: 'RIGHT',
      created_at: now,
      updated_at: now,
      ...c,
    };
    repo.reviewComments.push(comment);
    pull.updated_at = now;
    state.emit(
      repo,
      'pull_request_review_comment',
      { action: 'created', comment: commentJson(repo, comment), pull_request: pullJson(rc, repo, pull) },
      login,
    );
    return comment;
  };

  router.add(
    'GET /repos/:owner/:repo/pulls/:number/comments',
    inRepo(rc, ({ params, query }, repo) => {
      if (!findPull(repo, params.number)) return notFound();
      const list = repo.reviewComments.filter((c) => String(c.pull) === params.number);
      return ok(paginate(list, query).map((c) => commentJson(repo, c)));
    }),
  );

  router.add(
    'GET /repos/:owner/:repo/pulls/comments',
    inRepo(rc, ({ query }, repo) => {
      const since = query.get('since');
      const list = repo.reviewComments.filter((c) => !since || c.updated_at >= since);
      return ok(paginate(list, query).map((c) => commentJson(repo, c)));
    }),
  );

  router.add(
    'POST /repos/:owner/:repo/pulls/:number/comments',
    inRepo(rc, ({ params, body, login }, repo) => {
      const pull = findPull(repo, params.number);
      if (!pull) return notFound();
      const f = fields(body);
      const text = str(f.body);
      if (!text)
        return validationFailed([
          { resource: 'PullRequestReviewComment', code: 'missing_field', field: 'body' },
        ]);
      const replyTo =
        typeof f.in_reply_to === 'number'
          ? repo.reviewComments.find((c) => c.id === f.in_reply_to)
          : undefined;
      if (f.in_reply_to !== undefined && !replyTo) return notFound();
      const path = replyTo?.path ?? str(f.path);
      if (!path)
        return validationFailed([
          { resource: 'PullRequestReviewComment', code: 'missing_field', field: 'path' },
        ]);
      const comment = addReviewComment(repo, pull, login, {
        body: text,
        path,
        line: replyTo?.line ?? (typeof f.line === 'number' ? f.line : null),
        commit_id: str(f.commit_id) ?? repo.refs.get(`refs/heads/${pull.head.ref}`) ?? '',
        review_id: null,
        ...(replyTo ? { in_reply_to_id: replyTo.id } : {}),
      });
      return ok(commentJson(repo, comment), 201);
    }),
  );
}

/** OWNER, COLLABORATOR (any permission) or NONE, as webhooks and comments carry it. */
export function authorAssociation(repo: Repo, login: string): string {
  if (login === repo.owner) return 'OWNER';
  const p = repo.permissions.get(login);
  return p && p !== 'none' ? 'COLLABORATOR' : 'NONE';
}
