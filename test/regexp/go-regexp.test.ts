// Go's regexp package as Sprig's regex functions and expr-lang's `matches` use it. Expected values are the
// examples of Go's regexp documentation (pkg.go.dev/regexp: ExampleRegexp_FindString, _FindAllString,
// _ReplaceAllString, _ReplaceAllLiteralString, _Split, ExampleMatchString) and RE2's syntax
// (github.com/google/re2/wiki/Syntax: `\s` is `[\t\n\f\r ]`, POSIX classes, `(?P<name>…)`, `\A`, `\z`, flags).
import { describe, expect, it } from "vitest";
import {
  GoRegexp,
  GoRegexpLimitError,
  GoRegexpSyntaxError,
  MAX_MATCHES,
  quoteMeta,
} from "../../src/regexp/go-regexp.ts";

const re = (p: string) => GoRegexp.compile(p);

describe("Go regexp: the documentation's examples", () => {
  it("MatchString, FindString, FindAllString", () => {
    expect(re(String.raw`^[a-z]+\[[0-9]+\]$`).matchString("adam[23]")).toBe(true);
    expect(re(String.raw`^[a-z]+\[[0-9]+\]$`).matchString("Job[48]")).toBe(false);
    expect(re("foo.?").findString("seafood fool")).toBe("food");
    expect(re("foo.?").findString("meat")).toBe("");
    expect(re("a.").findAllString("paranormal", -1)).toEqual(["ar", "an", "al"]);
    expect(re("a.").findAllString("paranormal", 2)).toEqual(["ar", "an"]);
    expect(re("a.").findAllString("graal", -1)).toEqual(["aa"]);
    expect(re("a.").findAllString("none", -1)).toEqual([]);
    // an empty match right after a match is skipped
    expect(re("a*").findAllString("baaab", -1)).toEqual(["", "aaa", ""]);
  });

  it("ReplaceAllString expands $1, {1} after a $, $name; $1W names group 1W; ReplaceAllLiteralString does not", () => {
    const ab = re("a(x*)b");
    expect(ab.replaceAllString("-ab-axxb-", "T")).toBe("-T-T-");
    expect(ab.replaceAllString("-ab-axxb-", "$1")).toBe("--xx-");
    expect(ab.replaceAllString("-ab-axxb-", "$1W")).toBe("---");
    // biome-ignore lint/suspicious/noTemplateCurlyInString: ${1} is regexp.Expand syntax
    expect(ab.replaceAllString("-ab-axxb-", "${1}W")).toBe("-W-xxW-");
    // with a group named 1W, $1W is that group
    expect(re("a(?P<1W>x*)b").replaceAllString("-ab-axxb-", "$1W")).toBe("--xx-");
    // biome-ignore lint/suspicious/noTemplateCurlyInString: ${1} is regexp.Expand syntax
    expect(re("a(?P<1W>x*)b").replaceAllString("-ab-axxb-", "${1}W")).toBe("-W-xxW-");
    // biome-ignore lint/suspicious/noTemplateCurlyInString: ${1} is regexp.Expand syntax
    expect(ab.replaceAllLiteralString("-ab-axxb-", "${1}")).toBe("-${1}-${1}-");
    expect(ab.replaceAllString("-ab-axxb-", "$$1")).toBe("-$1-$1-");
    expect(re("(?P<first>[a-z]+) (?P<last>[a-z]+)").replaceAllString("ada lovelace", "$last, $first")).toBe(
      "lovelace, ada",
    );
  });

  it("Split", () => {
    expect(re("a*").split("abaabaccadaaae", 5)).toEqual(["", "b", "b", "c", "cadaaae"]);
    expect(re("").split("abc", -1)).toEqual(["a", "b", "c"]);
    expect(re("z+").split("pizza", -1)).toEqual(["pi", "a"]);
    expect(re("z+").split("pizza", 0)).toEqual([]);
    expect(re("z+").split("pizza", 1)).toEqual(["pizza"]);
    expect(re("z+").split("pizza", 2)).toEqual(["pi", "a"]);
    expect(re("z+").split("", -1)).toEqual([""]);
  });

  it("QuoteMeta", () => {
    expect(quoteMeta("Escaping symbols like: .+*?()|[]{}^$")).toBe(
      String.raw`Escaping symbols like: \.\+\*\?\(\)\|\[\]\{\}\^\$`,
    );
  });
});

describe("Go regexp: RE2 syntax where JavaScript reads it otherwise", () => {
  it("POSIX classes, (?P<name>), \\A and \\z, flag groups, \\Q…\\E", () => {
    expect(re("[[:alpha:]]+").findAllString("ab1 cd", -1)).toEqual(["ab", "cd"]);
    expect(re("(?P<v>[0-9]+)").replaceAllString("v12", "<$v>")).toBe("v<12>");
    expect(re(String.raw`\Aab`).matchString("ab")).toBe(true);
    expect(re(String.raw`b\z`).matchString("ab\n")).toBe(false);
    expect(re("(?s)a.b").matchString("a\nb")).toBe(true);
    expect(re("a.b").matchString("a\nb")).toBe(false);
    expect(re("(?i)CANARY").matchString("canary-demo")).toBe(true);
    expect(re("(?U)a+").findString("aaa")).toBe("a");
    expect(re(String.raw`\Q1.2\E`).matchString("1x2")).toBe(false);
  });

  it("\\s is [\\t\\n\\f\\r ]: not \\v, not a no-break space (JavaScript's \\s is both)", () => {
    expect(re(String.raw`\s`).matchString("\v")).toBe(false);
    expect(re(String.raw`\s`).matchString("\u00a0")).toBe(false);
    expect(re(String.raw`\s`).matchString("\t")).toBe(true);
  });

  it("what Go refuses is refused with Go's message", () => {
    const refused = (p: string) => {
      try {
        re(p);
      } catch (err) {
        expect(err).toBeInstanceOf(GoRegexpSyntaxError);
        return (err as Error).message;
      }
      throw new Error(`${p} compiled`);
    };
    expect(refused("(a")).toBe("error parsing regexp: missing closing ): `(a`");
    expect(refused(String.raw`(a)\1`)).toBe("error parsing regexp: invalid escape sequence: `\\1`");
    expect(refused("x(?=y)")).toBe("error parsing regexp: invalid or unsupported Perl syntax: `(?=`");
    expect(refused("a{1001}")).toBe("error parsing regexp: invalid repeat count: `{1001}`");
    expect(refused("x**")).toBe("error parsing regexp: invalid nested repetition operator: `**`");
  });
});

describe("Go regexp: linear time and bounds", () => {
  it("patterns a backtracking engine takes exponential time on finish on long input", () => {
    // JavaScript's RegExp needs ~15 s for `^(a+)+$` on 28 a's and a '!', doubling with each one more: these
    // would not finish within the test's timeout
    const long = `${"a".repeat(100_000)}!`;
    expect(re("^(a+)+$").matchString(long)).toBe(false);
    expect(re("^(a|aa)*$").matchString(long)).toBe(false);
    expect(re("(.*)*x").matchString(long)).toBe(false);
    expect(re("^(a+)+!$").replaceAllString(long, "ok")).toBe("ok");
  });

  it("more than MAX_MATCHES matches in one call is refused, not built", () => {
    const s = "a".repeat(MAX_MATCHES + 1);
    expect(() => re("a").findAllString(s, -1)).toThrow(GoRegexpLimitError);
    expect(() => re("a").replaceAllString(s, "b")).toThrow(GoRegexpLimitError);
    expect(re("a").findAllString(s, 3)).toEqual(["a", "a", "a"]);
  });
});
