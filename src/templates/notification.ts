// A rendered, service-shaped notification: what the templates stage produces and a sink sends.

/**
 * The service-shaped parts of a notification, one per service type (`slack`, `pagerduty`, `webhook`, …). Each
 * src/sinks/<type>/ declares its part here (module augmentation) and renders it (its `render`).
 */
// biome-ignore lint/suspicious/noEmptyInterface: filled in by each src/sinks/<type>/ (declaration merging)
export interface NotificationParts {}

export interface Notification extends NotificationParts {
  /** Plain-text message (template `message`). */
  message: string;
  /**
   * Set instead of the service parts when rendering failed for good (its render budget ran out): the job is
   * enqueued like any other — so the transition is recorded and never rendered again — and the worker
   * dead-letters it with this reason without calling the sink.
   */
  renderFailure?: { code: string; message: string };
}
