// Slack Block Kit limits: `fitSlackBlocks` trims rendered blocks to what Slack accepts (so a long status
// message or many failed metrics can't make chat.postMessage fail with invalid_blocks), and
// `validateSlackBlocks` lists shape problems (used by tests and `template notify`).
// Limits: https://api.slack.com/reference/block-kit/blocks
import { truncateChars } from "../../templates/fields.ts";

export const SLACK_MAX_BLOCKS = 50;
export const SLACK_SECTION_TEXT_MAX = 3000;
export const SLACK_FIELD_TEXT_MAX = 2000;
export const SLACK_SECTION_FIELDS_MAX = 10;
export const SLACK_HEADER_TEXT_MAX = 150;
export const SLACK_CONTEXT_ELEMENTS_MAX = 10;
export const SLACK_MESSAGE_TEXT_MAX = 40000;

const BLOCK_TYPES = new Set([
  "section",
  "header",
  "context",
  "divider",
  "actions",
  "image",
  "rich_text",
  "input",
  "file",
  "video",
  "markdown",
]);
const TEXT_TYPES = new Set(["plain_text", "mrkdwn"]);

type Rec = Record<string, unknown>;
const isRec = (v: unknown): v is Rec => v !== null && typeof v === "object" && !Array.isArray(v);

function fitText(obj: unknown, max: number): void {
  if (isRec(obj) && typeof obj.text === "string") obj.text = truncateChars(obj.text, max);
}

/** Trims blocks in place to Slack's limits; returns the (possibly shortened) list. */
export function fitSlackBlocks(blocks: unknown[]): unknown[] {
  for (const b of blocks) {
    if (!isRec(b)) continue;
    if (b.type === "section") {
      fitText(b.text, SLACK_SECTION_TEXT_MAX);
      if (Array.isArray(b.fields)) {
        if (b.fields.length > SLACK_SECTION_FIELDS_MAX)
          b.fields = b.fields.slice(0, SLACK_SECTION_FIELDS_MAX);
        for (const f of b.fields as unknown[]) fitText(f, SLACK_FIELD_TEXT_MAX);
      }
    } else if (b.type === "header") {
      fitText(b.text, SLACK_HEADER_TEXT_MAX);
    } else if (b.type === "context" && Array.isArray(b.elements)) {
      if (b.elements.length > SLACK_CONTEXT_ELEMENTS_MAX)
        b.elements = b.elements.slice(0, SLACK_CONTEXT_ELEMENTS_MAX);
      for (const e of b.elements as unknown[]) fitText(e, SLACK_SECTION_TEXT_MAX);
    }
  }
  if (blocks.length <= SLACK_MAX_BLOCKS) return blocks;
  const omitted = blocks.length - (SLACK_MAX_BLOCKS - 1);
  return [
    ...blocks.slice(0, SLACK_MAX_BLOCKS - 1),
    { type: "context", elements: [{ type: "mrkdwn", text: `_${omitted} more blocks omitted_` }] },
  ];
}

/** Applies fitSlackBlocks to top-level blocks and to each attachment's blocks. */
export function fitSlackAttachments(attachments: unknown[]): unknown[] {
  for (const a of attachments) if (isRec(a) && Array.isArray(a.blocks)) a.blocks = fitSlackBlocks(a.blocks);
  return attachments;
}

function checkTextObject(
  where: string,
  t: unknown,
  max: number,
  problems: string[],
  plainOnly = false,
): void {
  if (!isRec(t)) {
    problems.push(`${where}: text object missing`);
    return;
  }
  if (typeof t.type !== "string" || !TEXT_TYPES.has(t.type))
    problems.push(`${where}: text type "${String(t.type)}"`);
  if (plainOnly && t.type !== "plain_text") problems.push(`${where}: must be plain_text`);
  if (typeof t.text !== "string") problems.push(`${where}: text must be a string`);
  else if (Array.from(t.text).length > max) problems.push(`${where}: text longer than ${max}`);
}

/** Shape problems of a block list ("" list when valid). Checks types, text objects and limits. */
export function validateSlackBlocks(blocks: unknown, where = "blocks"): string[] {
  const problems: string[] = [];
  if (!Array.isArray(blocks)) return [`${where}: not an array`];
  if (blocks.length > SLACK_MAX_BLOCKS)
    problems.push(`${where}: ${blocks.length} blocks (max ${SLACK_MAX_BLOCKS})`);
  blocks.forEach((b, i) => {
    const w = `${where}[${i}]`;
    if (!isRec(b) || typeof b.type !== "string" || !BLOCK_TYPES.has(b.type)) {
      problems.push(`${w}: unknown block type ${isRec(b) ? String(b.type) : typeof b}`);
      return;
    }
    if (b.type === "section") {
      if (b.text === undefined && b.fields === undefined) problems.push(`${w}: section needs text or fields`);
      if (b.text !== undefined) checkTextObject(`${w}.text`, b.text, SLACK_SECTION_TEXT_MAX, problems);
      if (b.fields !== undefined) {
        if (!Array.isArray(b.fields) || b.fields.length > SLACK_SECTION_FIELDS_MAX) {
          problems.push(`${w}.fields: at most ${SLACK_SECTION_FIELDS_MAX}`);
        } else
          b.fields.forEach((f, j) => {
            checkTextObject(`${w}.fields[${j}]`, f, SLACK_FIELD_TEXT_MAX, problems);
          });
      }
    } else if (b.type === "header") {
      checkTextObject(`${w}.text`, b.text, SLACK_HEADER_TEXT_MAX, problems, true);
    } else if (b.type === "context") {
      if (
        !Array.isArray(b.elements) ||
        b.elements.length === 0 ||
        b.elements.length > SLACK_CONTEXT_ELEMENTS_MAX
      ) {
        problems.push(`${w}.elements: 1..${SLACK_CONTEXT_ELEMENTS_MAX} elements`);
      } else {
        b.elements.forEach((e, j) => {
          if (isRec(e) && e.type === "image") return;
          checkTextObject(`${w}.elements[${j}]`, e, SLACK_SECTION_TEXT_MAX, problems);
        });
      }
    }
  });
  return problems;
}

/** Problems of a rendered Slack message: blocks, and each attachment's blocks and color. */
export function validateSlackMessage(msg: {
  text?: string;
  blocks?: unknown[];
  attachments?: unknown[];
}): string[] {
  const problems: string[] = [];
  if (msg.text !== undefined && msg.text.length > SLACK_MESSAGE_TEXT_MAX) problems.push("text: too long");
  if (msg.blocks !== undefined) problems.push(...validateSlackBlocks(msg.blocks));
  (msg.attachments ?? []).forEach((a, i) => {
    if (!isRec(a)) {
      problems.push(`attachments[${i}]: not an object`);
      return;
    }
    if (
      a.color !== undefined &&
      (typeof a.color !== "string" || !/^(#[0-9a-fA-F]{6}|good|warning|danger)$/.test(a.color))
    ) {
      problems.push(`attachments[${i}].color: "${String(a.color)}"`);
    }
    if (a.blocks !== undefined) problems.push(...validateSlackBlocks(a.blocks, `attachments[${i}].blocks`));
  });
  return problems;
}
