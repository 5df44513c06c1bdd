// Go text/template + Sprig semantics, case by case. Every expected output is what Go produces for the same
// template and data, derived from the Go and Sprig sources and documentation (text/template exec.go and
// funcs.go, fmt's doc.go/print.go/format.go, strconv.FormatFloat, encoding/json, time.Format, and
// Masterminds/sprig v3 functions.go, strings.go, numeric.go, defaults.go, list.go, dict.go, date.go,
// regex.go with spf13/cast v1.9 conversions). The data is what json.Unmarshal gives a Go template: numbers
// are float64, JSON null is a nil interface.
import { describe, expect, it } from "vitest";
import { executeGoTemplate, goFunctionNames } from "../../../src/templates/go-template/go-exec.ts";
import { parseGoTemplate } from "../../../src/templates/go-template/go-parse.ts";
import { GoTime } from "../../../src/templates/go-template/go-time.ts";

const NOW = new GoTime(Date.parse("2024-03-05T14:07:09Z"));
const data = {
  s: "hello",
  e: "",
  z: 0,
  f: 1.5,
  i: 3,
  n: null,
  t: true,
  big: 1234567,
  list: ["a", "b", "c"],
  empty: [],
  m: { b: 2, a: 1 },
  em: {},
  nested: { x: { y: "deep" } },
  html: "<a href='x'>&</a>",
  quote: 'say "hi"',
  ts: "2024-03-05T14:07:09Z",
  containers: [
    { name: "app", image: "app:1" },
    { name: "sidecar", image: "proxy:2" },
  ],
};

function run(src: string, opts: Parameters<typeof executeGoTemplate>[2] = {}): string {
  return executeGoTemplate(parseGoTemplate(src, goFunctionNames()), data as never, {
    now: () => NOW,
    ...opts,
  });
}

const table = (cases: [string, string][]) =>
  it.each(cases)("%s → %j", (src, expected) => {
    expect(run(src)).toBe(expected);
  });

describe("values, fields and missing keys (exec.go evalField, printValue)", () => {
  table([
    ["{{.s}}", "hello"],
    ["{{.missing}}", "<no value>"],
    ["{{.missing.x}}", "<no value>"],
    ["{{.nested.x.y}}", "deep"],
    ["{{.n}}", "<nil>"],
    ["{{.i}} {{.f}} {{.z}}", "3 1.5 0"],
    ["{{.big}}", "1.234567e+06"],
    ["{{.list}} {{.empty}}", "[a b c] []"],
    ["{{.m}} {{.em}}", "map[a:1 b:2] map[]"],
    ["{{.containers}}", "[map[image:app:1 name:app] map[image:proxy:2 name:sidecar]]"],
    ["{{.t}} {{true}} {{false}}", "true true false"],
    ['{{"a"}}{{1}}{{1.0}}{{1.25}}{{-2}}', "a111.25-2"],
    ["{{0x1F}} {{1e3}} {{'x'}} {{1_000}} {{0o17}} {{017}}", "31 1000 120 1000 15 15"],
    ["{{(index .containers 1).name}}", "sidecar"],
    ["{{$.s}}", "hello"],
  ]);
  it("field access on a nil value is an error", () => {
    expect(() => run("{{.n.x}}")).toThrow("nil pointer evaluating interface {}.x");
  });
  it("field access on a string is an error", () => {
    expect(() => run("{{.s.x}}")).toThrow("can't evaluate field x in type string");
  });
});

describe("whitespace trim markers and comments (lex.go)", () => {
  table([
    ["a  {{- .s -}}  b", "ahellob"],
    ["a {{- /* c */ -}} b", "ab"],
    ["x{{/* comment */}}y", "xy"],
    ["line1\n{{- if .t }}\n  yes\n{{- end }}\n", "line1\n  yes\n"],
    ["{{- 3 }} {{ 4 -}} \n 5", "3 45"],
    ["{{-3}}", "-3"],
    ["a\t\r\n {{- .s}}", "ahello"],
  ]);
});

describe("variables, control structures, named templates (exec.go walk*)", () => {
  table([
    ['{{$x := "a"}}{{$x}}{{$x = "b"}}{{$x}}', "ab"],
    [
      "{{range $i, $c := .containers}}{{if $i}}, {{end}}{{$c.name}}={{$c.image}}{{end}}",
      "app=app:1, sidecar=proxy:2",
    ],
    ["{{range .list}}{{.}}{{end}}", "abc"],
    ["{{range $k, $v := .m}}{{$k}}:{{$v}};{{end}}", "a:1;b:2;"],
    ["{{range .empty}}x{{else}}none{{end}}", "none"],
    ["{{range .missing}}x{{else}}none{{end}}", "none"],
    ["{{range 3}}{{.}}{{end}}", "012"],
    ["{{range $i, $e := .list}}{{if eq $i 1}}{{continue}}{{end}}{{$e}}{{end}}", "ac"],
    ['{{range .list}}{{if eq . "b"}}{{break}}{{end}}{{.}}{{end}}', "a"],
    ["{{range .containers}}{{$.s}}{{end}}", "hellohello"],
    ["{{with .nested.x}}{{.y}}{{end}}", "deep"],
    ["{{with .missing}}x{{else}}none{{end}}", "none"],
    ["{{with $v := .s}}{{$v}}{{end}}", "hello"],
    ["{{with .e}}x{{else with .s}}{{.}}{{end}}", "hello"],
    ["{{if .z}}a{{else if .e}}b{{else}}c{{end}}", "c"],
    ["{{if .em}}a{{else}}b{{end}}{{if .m}}c{{end}}{{if .n}}d{{end}}{{if .missing}}e{{end}}", "bc"],
    ['{{define "item"}}[{{.}}]{{end}}{{range .list}}{{template "item" .}}{{end}}', "[a][b][c]"],
    ['{{block "b" .s}}<{{.}}>{{end}}', "<hello>"],
    ['{{define "t"}}{{$}}{{end}}{{template "t" 5}}', "5"],
    ["{{$x := 1}}{{if .t}}{{$x := 2}}{{$x}}{{end}}{{$x}}", "21"],
    ["{{$x := 1}}{{if .t}}{{$x = 2}}{{end}}{{$x}}", "2"],
  ]);
  it("ranging over a string is an error", () => {
    expect(() => run("{{range .s}}{{end}}")).toThrow("range can't iterate over hello");
  });
});

describe("builtins (funcs.go)", () => {
  table([
    ['{{and 1 0 2}}|{{or 0 "" "x"}}|{{or 0 ""}}|{{and .t .s}}', "0|x||hello"],
    ["{{not .e}} {{not .missing}} {{not .s}}", "true true false"],
    ['{{eq .s "hello"}} {{eq .s "x" "hello"}} {{ne .i 3.0}} {{eq .f 1.5}}', "true true false true"],
    ['{{lt 1 2}} {{gt "b" "a"}} {{le 2 2}} {{ge 1.5 .f}} {{gt 1 1}}', "true true true true false"],
    ['{{eq .missing "x"}} {{eq .n nil}} {{eq .missing .n}} {{ne .n "x"}}', "false true true true"],
    ['{{len .list}} {{len .s}} {{len .m}} {{len "héllo"}}', "3 5 2 6"],
    [
      '{{index .list 1}} {{index .m "b"}} {{index .m "zz"}} {{index .nested "x" "y"}} {{index .s 1}}',
      "b 2 <nil> deep 101",
    ],
    [
      '{{print "a" 1 2 "b"}}|{{print .n}}|{{print .missing}}|{{print 1.5 true}}',
      "a1 2b|<nil>|<nil>|1.5 true",
    ],
    ['{{println "a" 1}}', "a 1\n"],
    ["{{html .html}}", "&lt;a href=&#39;x&#39;&gt;&amp;&lt;/a&gt;"],
    ['{{js .quote}} {{js "<a>=&"}}', 'say \\"hi\\" \\u003Ca\\u003E\\u003D\\u0026'],
    ['{{urlquery "a b&c=d/é"}}', "a+b%26c%3Dd%2F%C3%A9"],
    ['{{.s | printf "%s!"}}', "hello!"],
    ['{{"x" | printf "%s-%s" "a"}}', "a-x"],
  ]);
  it.each([
    ["{{eq .i 3}}", "incompatible types for comparison: float64 and int"],
    ["{{lt .missing 1}}", "invalid type for comparison"],
    ["{{eq .list .list}}", "non-comparable type"],
    ["{{index .list 5}}", "index out of range: 5"],
    ["{{index .list 1.0}}", "cannot index slice/array with type float64"],
    ["{{slice .s 1 3}}", "list should be type of slice or array but string"],
    ["{{len .i}}", "len of type float64"],
  ])("%s fails: %s", (src, message) => {
    expect(() => run(src)).toThrow(message);
  });
});

describe("printf (fmt)", () => {
  table([
    ['{{printf "%v|%d|%5d|%-5d|%05d|%+d|% d" 42 42 42 42 42 42 42}}', "42|42|   42|42   |00042|+42| 42"],
    [
      '{{printf "%x %X %o %b %c %q %U %#x %#o" 255 255 8 5 65 65 128512 255 8}}',
      "ff FF 10 101 A 'A' U+1F600 0xff 010",
    ],
    ['{{printf "%x" -255}}', "-ff"],
    ['{{printf "%s|%q|%x|%5s|%-5s|%.1s" "hi" "hi" "hi" "ab" "cd" "abc"}}', 'hi|"hi"|6869|   ab|cd   |a'],
    ['{{printf "%q" "a\\nb\\t\\"c\\""}}', '"a\\nb\\t\\"c\\""'],
    [
      '{{printf "%f|%.2f|%8.3f|%-8.2f|%6.2f" 3.14159 3.14159 3.14159 3.14159 3.14159}}',
      "3.141590|3.14|   3.142|3.14    |  3.14",
    ],
    [
      '{{printf "%e|%E|%g|%g|%.3g|%G" 1234.5678 1234.5678 1234.5678 0.00001 1234.5678 1e-7}}',
      "1.234568e+03|1.234568E+03|1234.5678|1e-05|1.23e+03|1E-07",
    ],
    ['{{printf "%.0f %.0f %.2f %.1f %.3f" 2.5 3.5 0.125 0.05 1.0005}}', "2 4 0.12 0.1 1.000"],
    ['{{printf "%v %v %v %v" 2.5 1e6 100000.0 1e-5}}', "2.5 1e+06 100000 1e-05"],
    ['{{printf "%.2f" .i}} {{printf "%d" (int .i)}}', "3.00 3"],
    ['{{printf "%t %v" true false}}', "true false"],
    ['{{printf "%v %+v %v" .m .m .list}}', "map[a:1 b:2] map[a:1 b:2] [a b c]"],
    ['{{printf "%d" .list}}', "[%!d(string=a) %!d(string=b) %!d(string=c)]"],
    [
      '{{printf "%d" (list 1 2)}} {{printf "%q" .list}} {{printf "%s" (list "x" 1)}}',
      '[1 2] ["a" "b" "c"] [x %!s(int=1)]',
    ],
    ['{{printf "%v|%s|%d" .n .n .n}}', "<nil>|%!s(<nil>)|%!d(<nil>)"],
    [
      '{{printf "%d" "x"}}|{{printf "%s" 5}}|{{printf "%d" 1.5}}|{{printf "%t" "x"}}',
      "%!d(string=x)|%!s(int=5)|%!d(float64=1.5)|%!t(string=x)",
    ],
    [
      '{{printf "%d %d" 1}}|{{printf "%d" 1 2}}|{{printf "%z" 1}}|{{printf "100%%"}}|{{printf "%"}}',
      "1 %!d(MISSING)|1%!(EXTRA int=2)|%!z(int=1)|100%|%!(NOVERB)",
    ],
    [
      '{{printf "%T %T %T %T %T %T" 1 "s" 1.5 .list .m .n}}',
      "int string float64 []interface {} map[string]interface {} <nil>",
    ],
    ['{{printf "%T %T %T" (add 1 1) (len .list) (int 1)}}', "int64 int int"],
    ['{{printf "%*d|%-*d|%.*f" 5 42 4 7 1 3.14159}}', "   42|7   |3.1"],
    ['{{printf "%[2]s %[1]s" "a" "b"}}', "b a"],
    ['{{printf "%6.2f%%" 12.3456}}', " 12.35%"],
  ]);
});

describe("Sprig strings", () => {
  table([
    [
      `{{upper .s}} {{lower "HeLLo"}} {{title "hello wide-world foo_bar don't"}} {{untitle "Hello"}}`,
      "HELLO hello Hello Wide-World Foo_bar Don'T hello",
    ],
    ['{{trim "  x  "}}|{{trimPrefix "he" .s}}|{{trimSuffix "lo" .s}}|{{trimAll "h" "hhahh"}}', "x|llo|hel|a"],
    [
      '{{trunc 3 .s}} {{trunc -2 .s}} {{trunc 10 .s}} {{abbrev 5 "hello world"}} {{substr 1 3 .s}}',
      "hel lo hello he... el",
    ],
    [
      '{{repeat 3 "ab"}} {{replace "l" "L" .s}} {{contains "ell" .s}} {{hasPrefix "he" .s}} {{hasSuffix "x" .s}}',
      "ababab heLLo true true false",
    ],
    ['{{quote .s 1 .n}} {{squote .s}} {{cat "a" 1 .n "b"}}', '"hello" "1" \'hello\' a 1 b'],
    ['{{indent 2 "a\\nb"}}|{{nindent 2 "a"}}', "  a\n  b|\n  a"],
    [
      '{{plural "one" "many" 2}} {{plural "one" "many" 1}} {{nospace "a b c"}} {{initials "foo bar"}} {{swapcase "aB"}}',
      "many one abc fb Ab",
    ],
    [
      '{{snakecase "HelloWorld"}} {{kebabcase "HelloWorld"}} {{camelcase "hello_world"}} {{camelcase "on-rollout-completed"}}',
      "hello_world hello-world HelloWorld OnRolloutCompleted",
    ],
    // huandu/xstrings v1.5 documentation examples
    [
      '{{snakecase "HTTPServer"}} {{snakecase "NoHTTPS"}} {{snakecase "GO-PATH"}} {{snakecase "http2xx"}} {{snakecase "HTTP20xOK"}} {{snakecase "Bld4Floor3rd"}}',
      "http_server no_https go_path http_2xx http_20x_ok bld4_floor_3rd",
    ],
    [
      '{{camelcase "GOLANG_IS_GREAT"}} {{camelcase "_complex__case_"}} {{camelcase "no_https"}} {{camelcase "some words"}} {{kebabcase "FirstName"}}',
      "GolangIsGreat _Complex_Case_ NoHttps SomeWords first-name",
    ],
    [
      '{{join "," .list}} {{splitList "," "a,b"}} {{split "," "a,b"}} {{(split "," "a,b")._1}}',
      "a,b,c [a b] map[_0:a _1:b] b",
    ],
    [
      '{{join "-" (list 1 .n "x")}} {{toStrings (list 1 2)}} {{toString 1.5}} {{toString .n}}',
      "1-x [1 2] 1.5 <nil>",
    ],
    [
      '{{sortAlpha (list "b" "a" "C")}} {{wrap 5 "hello world foo"}} {{wrapWith 3 "|" "abcdefg hi"}}',
      "[C a b] hello\nworld\nfoo abc|def|g|hi",
    ],
    [
      '{{b64enc "hello"}} {{b64dec "aGVsbG8="}} {{b32enc "hi"}} {{b32dec "NBUQ===="}}',
      "aGVsbG8= hello NBUQ==== hi",
    ],
    ['{{sha256sum "hello"}}', "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"],
    ['{{sha1sum "hello"}} {{adler32sum "hello"}}', "aaf4c61ddcc5e8a2dabede0f3b482cd9aea9434d 103547413"],
    [
      '{{regexMatch "^h.*o$" .s}} {{regexFind "l+" .s}} {{regexFindAll "[aeiou]" "education" -1}} {{regexFindAll "[aeiou]" "education" 2}}',
      "true ll [e u a i o] [e u]",
    ],
    [
      // biome-ignore lint/suspicious/noTemplateCurlyInString: ${1} is regexp.Expand syntax, not a JS template
      '{{regexReplaceAll "a(x*)b" "-ab-axxb-" "${1}W"}} {{regexReplaceAll "a(x*)b" "-ab-axxb-" "$1W"}} {{regexReplaceAllLiteral "a(x*)b" "-ab-axxb-" "${1}"}}',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: regexReplaceAllLiteral keeps ${1} as it is
      "-W-xxW- --- -${1}-${1}-",
    ],
    [
      '{{regexSplit "z+" "pizza" -1}} {{regexQuoteMeta "1.2"}} {{regexReplaceAll "(?i)HELLO" .s "bye"}}',
      "[pi a] 1\\.2 bye",
    ],
    [
      // RE2 (Go's regexp), linear in the input: a backtracking engine would not finish `^(a+)+$` here
      '{{regexMatch "^(a+)+$" (printf "%s!" (repeat 50000 "a"))}} {{regexFindAll "[[:digit:]]+" "a1b22" -1}} {{regexReplaceAll "(?P<n>[a-z]+)" "ab-cd" "<$n>"}} {{regexSplit "a*" "abaabaccadaaae" 5}}',
      "false [1 22] <ab>-<cd> [ b b c cadaaae]",
    ],
    ["{{hello}}", "Hello!"],
  ]);
});

describe("Sprig defaults, logic and conversions", () => {
  table([
    [
      '{{default "d" .missing}} {{default "d" .n}} {{default "d" .z}} {{default "d" .e}} {{default "d" .empty}} {{default "d" .em}} {{default "d" false}} {{default "d" .s}}',
      "d d d d d d d hello",
    ],
    ['{{.missing | default "d"}} {{.i | default 7}}', "d 3"],
    [
      "{{empty .z}} {{empty .i}} {{empty .n}} {{empty .missing}} {{empty .list}} {{empty .empty}} {{empty .em}}",
      "true false true true false true true",
    ],
    [
      '{{coalesce .n .e "x"}} {{coalesce .n}} {{ternary "y" "n" .t}} {{ternary "y" "n" (eq .s "x")}} {{all 1 "a"}} {{any 0 ""}}',
      "x <nil> y n true false",
    ],
    [
      '{{int "12"}} {{int "1.9"}} {{int "abc"}} {{int 3.9}} {{int64 "0x1f"}} {{int "010"}} {{float64 "1.5"}} {{atoi "42"}} {{atoi "4.2"}}',
      "12 1 0 3 31 8 1.5 42 0",
    ],
  ]);
  it("an int64 is not an int (reflect assignability)", () => {
    expect(() => run("{{trunc (add 1 1) .s}}")).toThrow("wrong type for value; expected int; got int64");
  });
  it.each([
    ["{{upper .i}}", "wrong type for value; expected string; got float64"],
    ["{{upper .missing}}", "invalid value; expected string"],
    ["{{upper .n}}", "wrong type for value; expected string; got interface {}"],
    ["{{upper 1}}", "expected string; found 1"],
    ['{{ternary "a" "b" "c"}}', "expected bool"],
  ])("%s fails: %s", (src, message) => {
    expect(() => run(src)).toThrow(message);
  });
});

describe("Sprig arithmetic: int64 from cast.ToInt64, floats through decimal", () => {
  table([
    [
      "{{add .i 1}} {{add 1 2.5}} {{add}} {{sub 5 7}} {{mul 3 2.5}} {{div 7 2}} {{div -7 2}} {{mod -7 3}} {{add1 1.9}}",
      "4 3 0 -2 6 3 -3 -1 2",
    ],
    ['{{max 1 5 3}} {{min 2 "1"}} {{maxf 1.5 2}} {{minf 1.5 2}} {{biggest 4 9}}', "5 1 2 1.5 9"],
    [
      "{{addf 1.1 2.2}} {{subf 1 0.9}} {{mulf 1.1 3}} {{divf 1 3}} {{add1f 1.5}}",
      "3.3 0.1 3.3 0.3333333333333333 2.5",
    ],
    ["{{floor 2.7}} {{ceil 2.1}} {{round 3.14159 2}} {{round 2.5 0}}", "2 3 3.14 3"],
    [
      "{{until 3}} {{untilStep 0 10 4}} {{seq 3}} {{seq 2 -1 0}} {{seq 1 3}}",
      "[0 1 2] [0 4 8] 1 2 3 2 1 0 1 2 3",
    ],
    ["{{add1 (len .list)}} {{len (until 4)}}", "4 4"],
  ]);
  it("integer division by zero fails like Go's panic", () => {
    expect(() => run("{{div 1 0}}")).toThrow("integer divide by zero");
  });
});

describe("Sprig lists and dicts", () => {
  table([
    [
      "{{first .list}} {{last .list}} {{rest .list}} {{initial .list}} {{first .empty}}",
      "a c [b c] [a b] <nil>",
    ],
    [
      '{{append .list "d"}} {{prepend .list "z"}} {{reverse .list}} {{.list}}',
      "[a b c d] [z a b c] [c b a] [a b c]",
    ],
    [
      '{{uniq (list 1 1 2)}} {{without .list "b"}} {{has "b" .list}} {{has "q" .list}} {{compact (list 0 "a" "" .n)}}',
      "[1 2] [a c] true false [a]",
    ],
    [
      "{{concat .list (list 1)}} {{chunk 2 .list}} {{slice .list 1}} {{slice .list 1 2}}",
      "[a b c 1] [[a b] [c]] [b c] [b]",
    ],
    ['{{$d := dict "b" 1 "a" 2}}{{$d}} {{dict "k"}}', "map[a:2 b:1] map[k:]"],
    ['{{get .m "a"}}|{{get .m "zz"}}|{{hasKey .m "a"}}|{{hasKey .m "zz"}}', "1||true|false"],
    ['{{$d := dict}}{{$_ := set $d "k" "v"}}{{$d.k}} {{$d}}', "v map[k:v]"],
    ['{{$d := dict "a" 1}}{{$_ := unset $d "a"}}{{$d}}', "map[]"],
    ['{{keys (dict "b" 1 "a" 2) | sortAlpha}} {{values (dict "a" 1)}}', "[a b] [1]"],
    ['{{pluck "name" (index .containers 0) (index .containers 1)}}', "[app sidecar]"],
    ['{{dig "x" "y" "none" .nested}} {{dig "x" "q" "none" .nested}}', "deep none"],
    ['{{pick .m "a"}} {{omit .m "a"}}', "map[a:1] map[b:2]"],
    [
      '{{merge (dict "a" 1) (dict "a" 2 "b" 3)}} {{mergeOverwrite (dict "a" 1) (dict "a" 2 "b" 3)}}',
      "map[a:1 b:3] map[a:2 b:3]",
    ],
    [
      '{{deepEqual (list 1) (list 1)}} {{typeOf 1}} {{typeOf .f}} {{typeOf .list}} {{kindOf .m}} {{kindIs "slice" .list}}',
      "true int float64 []interface {} map true",
    ],
  ]);
  it("list functions on a non-list fail", () => {
    expect(() => run("{{first .s}}")).toThrow("Cannot find first on type string");
  });
});

describe("Sprig JSON (encoding/json)", () => {
  table([
    [
      "{{toJson .m}} {{toJson .list}} {{toJson .n}} {{toJson .missing}} {{toJson 1.0}} {{toJson (add 1 2)}} {{toJson 0.0000001}}",
      '{"a":1,"b":2} ["a","b","c"] null null 1 3 1e-7',
    ],
    ["{{toJson .html}}", "\"\\u003ca href='x'\\u003e\\u0026\\u003c/a\\u003e\""],
    ["{{toRawJson .html}}", "\"<a href='x'>&</a>\""],
    ['{{toPrettyJson (dict "a" (list 1 2) "b" (dict))}}', '{\n  "a": [\n    1,\n    2\n  ],\n  "b": {}\n}'],
    ['{{(fromJson "{\\"a\\":[1,2]}").a}} {{fromJson "x"}}', "[1 2] <nil>"],
  ]);
});

describe("Sprig dates with Go reference layouts (now = 2024-03-05T14:07:09Z)", () => {
  table([
    ['{{now | date "2006-01-02T15:04:05Z07:00"}}', "2024-03-05T14:07:09Z"],
    ['{{now | date "Mon Jan _2 15:04:05 2006"}}', "Tue Mar  5 14:07:09 2024"],
    [
      '{{now | date "02/01/06 3:04PM"}} {{now | date "Monday, January 2, 2006 .000"}}',
      "05/03/24 2:07PM Tuesday, March 5, 2024 .000",
    ],
    [
      '{{now | date "MST -0700 Z07:00 -07:00"}} {{now | unixEpoch}} {{htmlDate now}}',
      "UTC +0000 Z +00:00 1709647629 2024-03-05",
    ],
    [
      '{{toDate "2006-01-02 15:04" "2024-12-25 08:30" | date "Jan 2 15:04"}} {{toDate "2006-01-02" "bad" | date "2006"}}',
      "Dec 25 08:30 0001",
    ],
    [
      '{{(toDate "2006-01-02T15:04:05Z07:00" .ts).Unix}} {{toDate "2006-01-02T15:04:05Z07:00" "2024-03-05T16:07:09+02:00" | unixEpoch}}',
      "1709647629 1709647629",
    ],
    [
      '{{dateModify "-1h30m" now | date "15:04"}} {{now | date_modify "+48h" | date "2006-01-02"}}',
      "12:37 2024-03-07",
    ],
    ['{{date "2006" .ts}}', "2024"],
    [
      '{{ago now}} {{duration "95"}} {{duration 95}} {{duration (int64 3600)}} {{durationRound "2h10m"}} {{durationRound "49h"}}',
      "0s 1m35s 0s 1h0m0s 2h 2d",
    ],
    [
      "{{now.Year}} {{(now).Month}} {{now.Weekday}} {{(now.Add 3600000000000).Hour}}",
      "2024 March Tuesday 15",
    ],
    [
      '{{dateInZone "15:04 MST" now "America/New_York"}} {{dateInZone "15:04 MST -0700" now "Europe/Berlin"}} {{dateInZone "15:04" now "No/Such"}}',
      "09:07 EST 15:07 CET +0100 14:07",
    ],
    ['{{dateInZone "15:04 MST" now "UTC"}} {{(toDate "2006-01-02" "2024-02-29").YearDay}}', "14:07 UTC 60"],
  ]);
});

describe("Sprig semver, paths, URLs, misc", () => {
  table([
    [
      '{{semverCompare ">=1.2.0" "1.3.0"}} {{semverCompare "~1.2.0" "1.3.0"}} {{semverCompare "^1.2.0" "1.9.9"}} {{semverCompare "1.x" "2.0.0"}}',
      "true false true false",
    ],
    ['{{(semver "v1.2.3-rc.1").Prerelease}} {{(semver "1.2.3").Major}} {{semver "1.2"}}', "rc.1 1 1.2.0"],
    [
      '{{base "a/b/c.txt"}} {{dir "a/b/c.txt"}} {{ext "c.tar.gz"}} {{clean "a//b/../c/"}} {{isAbs "/x"}}',
      "c.txt a/b .gz a/c true",
    ],
    [
      '{{(urlParse "https://u:p@host:8080/p/a?q=1#f").host}} {{urlJoin (dict "scheme" "https" "host" "x.io" "path" "/a" "query" "b=1")}}',
      "host:8080 https://x.io/a?b=1",
    ],
    ["{{uuidv4 | len}} {{randAlphaNum 8 | len}} {{randNumeric 3 | len}}", "36 8 3"],
  ]);
  it("fail fails with its message", () => {
    expect(() => run('{{fail "boom"}}')).toThrow("boom");
  });
  it("env and expandenv are not available, as upstream removes them", () => {
    expect(() => run('{{env "HOME"}}')).toThrow('function "env" not defined');
    expect(() => run('{{expandenv "$HOME"}}')).toThrow('function "expandenv" not defined');
  });
});

describe("Slack mention helpers", () => {
  it('render "" with a warning without a directory, as upstream does on a failed lookup', () => {
    const warnings: string[] = [];
    expect(run('a{{slackUserByEmail "a@b.c"}}b', { onWarning: (w) => warnings.push(w) })).toBe("ab");
    expect(warnings).toEqual(['slackUserByEmail: no Slack ID known for "a@b.c"; rendered ""']);
  });
});

describe("bounds", () => {
  it("rejects nesting deeper than the parser's bound with a clear error", () => {
    const parens = `{{${"(".repeat(300)}1${")".repeat(300)}}}`;
    expect(() => run(parens)).toThrow("parentheses nested more than 200 deep");
    const ifs = `${"{{if 1}}".repeat(300)}x${"{{end}}".repeat(300)}`;
    expect(() => run(ifs)).toThrow("blocks nested more than 200 deep");
    expect(run(`${"{{if 1}}".repeat(150)}x${"{{end}}".repeat(150)}`)).toBe("x");
  });
  it("printf: a width that grows past a million swallows the format, as in fmt (parsenum)", () => {
    expect(run('{{printf "%100000000d|x" 1}}')).toBe("%!(NOVERB)%!(EXTRA int=1)");
    expect(run('{{printf "%*d" 10000000 1 | len}}')).toBe("%!(BADWIDTH)1".length.toString());
    expect(run('{{printf "%12d" 1 | len}}')).toBe("12");
  });

  it("stops a loop at maxIterations", () => {
    expect(() => run("{{range 1000000}}{{end}}", { limits: { maxIterations: 10 } })).toThrow(
      "more than 10 loop iterations (limit maxIterations)",
    );
  });
  it("stops output at maxOutput", () => {
    expect(() => run("{{range 100}}xxxxxxxxxx{{end}}", { limits: { maxOutput: 50 } })).toThrow(
      "limit maxOutput",
    );
  });
  it("stops recursion at maxTemplateDepth", () => {
    expect(() => run('{{define "r"}}{{template "r" .}}{{end}}{{template "r" .}}')).toThrow(
      "limit maxTemplateDepth",
    );
  });
  it("counts iterations of nested loops together", () => {
    expect(run("{{range 3}}{{range 3}}x{{end}}{{end}}", { limits: { maxIterations: 12 } })).toBe("xxxxxxxxx");
    expect(() => run("{{range 3}}{{range 3}}x{{end}}{{end}}", { limits: { maxIterations: 11 } })).toThrow(
      "maxIterations",
    );
  });
});
