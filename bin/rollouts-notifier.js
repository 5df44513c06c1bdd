#!/usr/bin/env node
// The `rollouts-notifier` command. Runs the compiled CLI when built (npm run build), else the TypeScript sources
// (Node >= 24 strips types). First it checks the Node version: an older Node (a global install or npx on the
// system Node) gets a message naming the Node it needs and the one it found, and exit code 1, not a syntax
// error from deep inside the CLI. So this file has no static import and uses only syntax that old Nodes parse
// (no top-level await, no optional chaining); everything else is loaded with import() after the check.
var NEEDED_MAJOR = 24; // package.json "engines": { "node": ">=24" }
var found = process.versions.node;
if (Number(found.split(".")[0]) < NEEDED_MAJOR) {
  process.stderr.write(
    "rollouts-notifier needs Node.js " +
      NEEDED_MAJOR +
      " or newer; it was started by Node.js " +
      found +
      " (" +
      process.execPath +
      ").\nInstall Node.js " +
      NEEDED_MAJOR +
      " (https://nodejs.org) and run it with that Node.\n",
  );
  process.exit(1);
}
import("node:fs").then((fs) => {
  var compiled = new URL("../dist/cli/main.js", import.meta.url);
  var entry = fs.existsSync(compiled) ? compiled : new URL("../src/cli/main.ts", import.meta.url);
  return import(entry.href);
});
