// What an Alertmanager delivery sends (pure): POST <scheme>://<target><apiPath> with a JSON array of one postable
// alert, to every target; basicAuth wins over bearerToken (as upstream).
import type { Notification } from "../../templates/notification.ts";
import { DeliveryError } from "../sink.ts";
import type { AlertmanagerServiceConfig } from "./alertmanager-types.ts";

export function alertmanagerUrls(s: AlertmanagerServiceConfig): string[] {
  const path = s.apiPath || "/api/v2/alerts";
  return s.targets.map((t) => `${s.scheme ?? "http"}://${t}${path}`);
}

export function alertmanagerAuthHeader(s: AlertmanagerServiceConfig): string | undefined {
  if (s.basicAuth)
    return `Basic ${Buffer.from(`${s.basicAuth.username}:${s.basicAuth.password}`).toString("base64")}`;
  if (s.bearerToken) return `Bearer ${s.bearerToken}`;
  return undefined;
}

export function buildAlertmanagerBody(notification: Notification, where: string): unknown[] {
  const alert = notification.alertmanager;
  if (!alert || Object.keys(alert.labels).length === 0) {
    throw new DeliveryError(`${where}: the alert has no labels`, { transient: false, code: "invalid_alert" });
  }
  return [alert];
}
