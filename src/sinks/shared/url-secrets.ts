/**
 * The secret strings of a URL that is a credential (incoming-webhook URLs): the URL itself, its path + query (a
 * remote may echo only the path), every longer query value (signatures: `sig=…`), its password.
 */
export function urlSecrets(url: string): string[] {
  try {
    const u = new URL(url);
    const pathAndQuery = `${u.pathname}${u.search}`;
    const values = [...u.searchParams.values()].filter((v) => v.length >= 8);
    return [url, pathAndQuery.length > 1 ? pathAndQuery : "", ...values, decodeURIComponent(u.password)];
  } catch {
    return [url];
  }
}
