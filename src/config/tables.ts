// User-keyed tables (services, templates, triggers, … by a name someone wrote in a ConfigMap or annotation).
// Every such table is a null-prototype object, and every lookup by a user-written name goes through ownEntry:
// `constructor`, `toString` or `__proto__` are names like any other, never properties inherited from Object.
import type { NotifierConfig } from "./types.ts";

/** A fresh null-prototype table with the own entries of each source, later sources winning. */
export function userTable<V>(...sources: (Readonly<Record<string, V>> | undefined)[]): Record<string, V> {
  const out = Object.create(null) as Record<string, V>;
  for (const src of sources) {
    if (!src) continue;
    for (const key of Object.keys(src)) {
      Object.defineProperty(out, key, {
        value: src[key],
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
  }
  return out;
}

/** table[key] when the table itself has that key (never an inherited property). */
export function ownEntry<V>(table: Readonly<Record<string, V>> | undefined, key: string): V | undefined {
  if (!table || !Object.hasOwn(table, key)) return undefined;
  return table[key];
}

/** The same config with every user-keyed table as a null-prototype copy. */
export function withUserTables(config: NotifierConfig): NotifierConfig {
  return {
    services: userTable(config.services),
    templates: userTable(config.templates),
    triggers: userTable(config.triggers),
    subscriptions: config.subscriptions,
    defaultTriggers: config.defaultTriggers,
    defaultTriggersByService: userTable(config.defaultTriggersByService),
    context: userTable(config.context),
  };
}
