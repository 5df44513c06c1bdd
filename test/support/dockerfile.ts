// Reads a Dockerfile's instructions, for the tests that check the image's structure or rebuild its layout.

export interface Instruction {
  stage: number;
  op: string;
  args: string;
}

/** Instructions of a Dockerfile, continuation lines joined, comments dropped, numbered by FROM stage. */
export function parseDockerfile(text: string): {
  instructions: Instruction[];
  stages: { name: string; from: string }[];
} {
  const joined = text.replace(/\\\r?\n/g, " ");
  const instructions: Instruction[] = [];
  const stages: { name: string; from: string }[] = [];
  for (const raw of joined.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith("#")) continue;
    const m = /^(\w+)\s+(.*)$/.exec(line);
    if (!m) continue;
    const op = m[1]!.toUpperCase();
    const args = m[2]!.replace(/\s+/g, " ");
    if (op === "FROM") {
      const f = /^(\S+)(?: AS (\S+))?$/i.exec(args);
      stages.push({ from: f?.[1] ?? args, name: f?.[2] ?? String(stages.length) });
    }
    instructions.push({ stage: stages.length - 1, op, args });
  }
  return { instructions, stages };
}

/** The build-context paths the Dockerfile copies (COPY without --from), in order, without duplicates. */
export function copiedContextPaths(text: string): string[] {
  const sources = parseDockerfile(text)
    .instructions.filter((i) => i.op === "COPY" && !i.args.startsWith("--"))
    .flatMap((i) => i.args.split(" ").slice(0, -1));
  return [...new Set(sources)];
}
