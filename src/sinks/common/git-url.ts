// The repository path of a git remote URL, for the services that act on a repository (github, gitlab):
// https://host/a/b(.git), git@host:a/b.git, ssh://git@host/a/b, or a plain "a/b". Bounded; undefined when the
// text is none of these.

const URL_MAX = 2048;

/** The path segments of a git URL without a trailing ".git" (e.g. ["group", "sub", "project"]). */
export function gitUrlPathSegments(raw: string): string[] | undefined {
  const text = raw.trim();
  if (!text || text.length > URL_MAX || /\s/.test(text)) return undefined;
  let path: string;
  const scp = /^[^/@:]+@[^/:]+:(.+)$/.exec(text);
  if (scp) path = scp[1]!;
  else if (/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) {
    try {
      path = new URL(text).pathname;
    } catch {
      return undefined;
    }
  } else path = text;
  const segments = path
    .replace(/\.git\/?$/, "")
    .split("/")
    .filter((p) => p !== "");
  return segments.length ? segments : undefined;
}
