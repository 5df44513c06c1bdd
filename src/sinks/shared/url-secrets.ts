/**
 * The secret strings of a URL that is a credential (incoming-webhook URLs): the URL itself, its path + query (a
 * remote may echo only the path), its password.
 */
export function urlSecrets(url: string): string[] {
  try {
    const u = new URL(url);
    const pathAndQuery = `${u.pathname}${u.search}`;
    return [url, pathAndQuery.length > 1 ? pathAndQuery : "", decodeURIComponent(u.password)];
  } catch {
    return [url];
  }
}
