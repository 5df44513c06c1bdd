/**
 * The secret strings of a URL that is a credential (incoming-webhook URLs): the URL itself, its path + query (a
 * remote may echo only the path), every long path segment (tokens, ids) and query value (signatures: `sig=…`), its
 * password.
 */
export function urlSecrets(url: string): string[] {
  try {
    const u = new URL(url);
    const pathAndQuery = `${u.pathname}${u.search}`;
    const values = [...u.searchParams.values()].filter((v) => v.length >= 8);
    const segments = u.pathname
      .split("/")
      .filter((p) => p.length >= 16)
      .map(decodeURIComponent);
    return [
      url,
      pathAndQuery.length > 1 ? pathAndQuery : "",
      ...values,
      ...segments,
      decodeURIComponent(u.password),
    ];
  } catch {
    return [url];
  }
}
