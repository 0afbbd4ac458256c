/**
 * Container image references (`[registry[:port]/]path[:tag][@algorithm:hex]`), checked against
 * the grammar of the distribution reference format. An image reference may come from a build
 * artifact, which is outside input: anything that does not parse is refused before it reaches
 * a Deployment.
 */

export interface ImageReference {
  /** Registry and path, without tag or digest. */
  repository: string;
  tag: string | null;
  digest: string | null;
}

const PATH_COMPONENT = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const DOMAIN = `(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|\\[[a-fA-F0-9:]+\\])(?::[0-9]+)?`;
const NAME = `(?:${DOMAIN}/)?${PATH_COMPONENT}(?:/${PATH_COMPONENT})*`;
const TAG = '[\\w][\\w.-]{0,127}';
const DIGEST = '[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-fA-F0-9]{32,}';
const REFERENCE = new RegExp(`^(${NAME})(?::(${TAG}))?(?:@(${DIGEST}))?$`);
const MAX_NAME_LENGTH = 255;

export function parseImageReference(reference: string): ImageReference | null {
  const match = REFERENCE.exec(reference);
  if (!match?.[1] || match[1].length > MAX_NAME_LENGTH) return null;
  return { repository: match[1], tag: match[2] ?? null, digest: match[3] ?? null };
}
