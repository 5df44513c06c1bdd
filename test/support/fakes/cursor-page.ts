// Slack-style cursor pagination: an opaque base64 cursor; "" when there is no next page.
export function cursorPage<T>(
  items: T[],
  cursor: string | undefined,
  limit: number,
): { items: T[]; next: string } | { error: string } {
  let offset = 0;
  if (cursor) {
    const decoded = /^offset:(\d+)$/.exec(Buffer.from(cursor, "base64").toString("utf8"));
    if (!decoded) return { error: "invalid_cursor" };
    offset = Number(decoded[1]);
  }
  const slice = items.slice(offset, offset + limit);
  const nextOffset = offset + slice.length;
  return {
    items: slice,
    next: nextOffset < items.length ? Buffer.from(`offset:${nextOffset}`).toString("base64") : "",
  };
}
