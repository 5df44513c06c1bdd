// Telegram recipients, as upstream parses them: "-100123456" (a chat id; negative for groups and channels),
// "-100123456|42" (a chat id and a forum topic, message_thread_id), or a public channel/group username
// ("mychannel" or "@mychannel", sent to "@mychannel").
export interface TelegramChat {
  chatId: string | number;
  topic?: number;
}

/** The chat a recipient names, or a reason it names none. */
export function parseTelegramRecipient(recipient: string): TelegramChat | { problem: string } {
  if (/[\r\n\t]/.test(recipient)) return { problem: "contains a line break or tab" };
  const r = recipient.trim();
  const m = /^(-?\d{1,20})(?:\|(\d{1,10}))?$/.exec(r);
  if (m) {
    const chat: TelegramChat = { chatId: Number(m[1]) };
    if (m[2] !== undefined) chat.topic = Number(m[2]);
    if (!Number.isSafeInteger(chat.chatId)) return { problem: "chat id out of range" };
    return chat;
  }
  const name = r.replace(/^@/, "");
  // usernames: 5-32 characters, letters, digits and underscores, starting with a letter
  if (/^[A-Za-z][A-Za-z0-9_]{4,31}$/.test(name)) return { chatId: `@${name}` };
  return { problem: "not a chat id (-100…, optionally |topic) nor a channel username (@name)" };
}

export const normalizeTelegramRecipient = (recipient: string): string => {
  const chat = parseTelegramRecipient(recipient);
  if ("problem" in chat) return recipient.trim();
  return chat.topic !== undefined ? `${chat.chatId}|${chat.topic}` : String(chat.chatId);
};
