// huandu/xstrings as Sprig uses it: ToPascalCase (`camelcase`), ToSnakeCase (`snakecase`), ToKebabCase
// (`kebabcase`). Words are split as xstrings' nextWord does (upper-case runs, letters, numbers, punctuation,
// connectors `-` `_` and spaces), so "HTTPServer" → "http_server", "http2xx" → "http_2xx",
// "GOLANG_IS_GREAT" → "GolangIsGreat". Strings here are valid UTF-16, so there are no invalid runes.

const isConnector = (r: string) => r === "-" || r === "_" || /^\s$/u.test(r);
const isUpper = (r: string) => /^\p{Lu}$/u.test(r);
const isLetter = (r: string) => /^\p{L}$/u.test(r);
const isNumber = (r: string) => /^\p{N}$/u.test(r);
const isPunct = (r: string) => /^\p{P}$/u.test(r);
const isCJK = (r: string) => {
  const c = r.codePointAt(0)!;
  return (c >= 0x4e00 && c <= 0x9fcc) || (c >= 0x3400 && c <= 0x4d85) || (c >= 0x20000 && c <= 0x2b81d);
};
const isAlphabet = (r: string) => isLetter(r) && !isCJK(r);

/** xstrings v1.5 toCamelCase(str, isBig=true). */
export function toPascalCase(str: string): string {
  const runes = Array.from(str);
  if (runes.length === 0) return "";
  let out = "";
  let i = 0;
  let r0 = "";
  let firstUpper = false;
  let found = false;
  while (i < runes.length) {
    r0 = runes[i++]!;
    if (!isConnector(r0)) {
      firstUpper = isUpper(r0);
      r0 = r0.toUpperCase();
      found = true;
      break;
    }
    out += r0;
  }
  if (i >= runes.length) return found ? out + r0 : out;
  while (i < runes.length) {
    const r1 = r0;
    r0 = runes[i++]!;
    if (isConnector(r0) && isConnector(r1)) {
      out += r1;
      continue;
    }
    if (isConnector(r1)) {
      firstUpper = isUpper(r0);
      r0 = r0.toUpperCase();
    } else {
      if (firstUpper) {
        if (isUpper(r0)) r0 = r0.toLowerCase();
        else firstUpper = false;
      }
      out += r1;
    }
  }
  return out + r0;
}

type WordType = "number" | "upper" | "alphabet" | "connector" | "punct" | "other";

function nextWord(runes: string[], start: number): { wt: WordType; end: number } {
  let i = start;
  const r = runes[i++]!;
  const run = (pred: (x: string) => boolean) => {
    while (i < runes.length && pred(runes[i]!)) i++;
  };
  if (isConnector(r)) {
    run(isConnector);
    return { wt: "connector", end: i };
  }
  if (isPunct(r)) {
    run(isPunct);
    return { wt: "punct", end: i };
  }
  if (isUpper(r)) {
    if (i < runes.length) {
      const n = runes[i]!;
      if (isUpper(n)) {
        let prev = i;
        i++;
        while (i < runes.length && isUpper(runes[i]!)) {
          prev = i;
          i++;
        }
        // "HTTPServer": the last upper-case rune starts the next word
        if (i < runes.length && isAlphabet(runes[i]!)) i = prev;
      } else if (isAlphabet(n)) {
        i++;
        run((x) => isAlphabet(x) && !isUpper(x));
      }
    }
    return { wt: "upper", end: i };
  }
  if (isAlphabet(r)) {
    run((x) => isAlphabet(x) && !isUpper(x));
    return { wt: "alphabet", end: i };
  }
  if (isNumber(r)) {
    run(isNumber);
    return { wt: "number", end: i };
  }
  run((x) => !(isConnector(x) || isAlphabet(x) || isNumber(x) || isPunct(x)));
  return { wt: "other", end: i };
}

/** xstrings camelCaseToLowerCase. */
function camelCaseToLowerCase(str: string, connector: string): string {
  const runes = Array.from(str);
  if (runes.length === 0) return "";
  let out = "";
  const toLower = (wt: WordType, word: string[]) => {
    if (wt !== "upper" && wt !== "connector") {
      out += word.join("");
      return;
    }
    for (const r of word) out += isConnector(r) ? connector : isUpper(r) ? r.toLowerCase() : r;
  };
  let pos = 0;
  const take = () => {
    if (pos >= runes.length) return { wt: undefined, word: [] as string[] };
    const { wt, end } = nextWord(runes, pos);
    const word = runes.slice(pos, end);
    pos = end;
    return { wt: wt as WordType | undefined, word };
  };
  let { wt, word } = take();
  while (pos < runes.length) {
    if (wt !== "connector") toLower(wt!, word);
    const prev = wt;
    const last = word;
    ({ wt, word } = take());
    switch (prev) {
      case "number":
        while (wt === "alphabet" || wt === "number") {
          toLower(wt, word);
          ({ wt, word } = take());
        }
        if (wt !== undefined && wt !== "punct" && wt !== "connector") out += connector;
        break;
      case "connector":
        toLower(prev, last);
        break;
      case "punct":
        break;
      default: {
        if (wt !== "number") {
          if (wt !== "connector" && wt !== "punct") out += connector;
          break;
        }
        if (pos >= runes.length) break;
        const numberWord = word;
        ({ wt, word } = take());
        if (wt !== "alphabet") {
          toLower("number", numberWord);
          if (wt !== "connector" && wt !== "punct") out += connector;
          break;
        }
        out += connector;
        toLower("number", numberWord);
        while (wt === "alphabet" || wt === "number") {
          toLower(wt, word);
          ({ wt, word } = take());
        }
        if (wt !== undefined && wt !== "connector" && wt !== "punct") out += connector;
      }
    }
  }
  if (wt !== undefined) toLower(wt, word);
  return out;
}

export const toSnakeCase = (s: string) => camelCaseToLowerCase(s, "_");
export const toKebabCase = (s: string) => camelCaseToLowerCase(s, "-");
