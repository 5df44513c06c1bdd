// Transition identity: the same lifecycle event gets the same id however and whenever it is detected; a new
// event gets a new id. Ids are built only from fields the controller writes (plus small counters kept in the
// per-object state), never from resourceVersion or the time we happened to look.
//
//   <uid>/<trigger>/<qualifiers...>        each part percent-encoded, so ids never contain ":" (the BullMQ
//                                          job ids of older versions could not; ids stay the same across
//                                          versions) and parts cannot run into each other.
//
// Rollout (uid = the Rollout's metadata.uid):
//   on-rollout-updated         r<revision annotation>                   a Rollout never reuses a revision number
//   on-rollout-step-completed  run<n>/<status.currentPodHash>/<index>
//   on-rollout-aborted         run<n>/<status.currentPodHash>
//                              n counts "runs" in the saved state: one pass through the steps of one
//                              (currentPodHash, currentStepHash). It goes up by one for a new pair (a new
//                              revision, new steps), for an abort (status.abort turns true), and for the step
//                              index going back without an abort seen (abort → retry between two snapshots).
//                              So abort → retry → step 1 completing again is a new event. The counter is not
//                              the revision because the controller writes the new currentPodHash before the
//                              revision annotation; the pod hash in the id keeps ids apart even where two
//                              detections count runs differently (several runs between two snapshots).
//   on-rollout-completed       r<revision annotation>/<status.stableRS>   (when stableRS switches to the
//                              current pod hash the annotation already names that pod's revision)
//   on-rollout-paused          cond/<reason>@<startTime> of status.pauseConditions[0], or
//                              spec/n<k> when spec.paused turned true for the k-th time (a counter in the
//                              saved state: the controller records no time or generation for a user pause)
//   on-rollout-resumed         the key of the pause that ended (same as its on-rollout-paused)
//   on-scaling-replica-set     n<change counter>/<spec.replicas>-<status.replicas>-<status.updatedReplicas>
// AnalysisRun (uid = the AnalysisRun's uid; a run goes through its phases once):
//   on-analysis-run-started | -completed | -failed | -error      no qualifier
//
// Consequences: a snapshot seen twice fires nothing the second time (state already advanced); after a crash
// between hand-off and saving state, detecting again from the old state against a newer snapshot yields the
// same ids for the events both detections see, so the re-enqueue is a no-op (test/replay/histories.test.ts
// crashes at every document of every example history).
// Limits — what is visible in neither snapshot cannot be detected:
//   - a whole abort → retry cycle between two snapshots is not seen as an abort; if the step index did not go
//     back either, the pause conditions it cleared read as a resume;
//   - steps that complete and a promotion after them, seen as one change (the watcher down or behind across
//     those writes, then a restart or relist), read as `promote --full`: upstream's controller completes a step
//     in one status update and promotes in a later one, but promote --full jumps the index to the step count
//     and promotes in one update, resetting status.promoteFull (rollout/canary.go, sync.go promoteStable), so
//     the two leave the same status. Those step completions are not emitted (nothing that may not have
//     happened is); the resume and on-rollout-completed are (test/triggers/rollout-transitions.test.ts,
//     test/watch/transition-watcher.test.ts);
//   - a pause that starts (handed on) and ends before its state is saved loses its resume;
//   - scaling ids count changes: unique per saved state, not comparable across skipped snapshots;
//   - run numbers and user-pause counters restart if a saved state is lost (the object is a baseline again).

/** Percent-encodes the characters that would break an id part: "%", "/", ":" and anything outside printable ASCII. */
export function idPart(value: string | number): string {
  return String(value).replace(
    /[%/:\s]|[^\x21-\x7e]/g,
    (c) => `%${c.codePointAt(0)!.toString(16).toUpperCase().padStart(2, "0")}`,
  );
}

/** Joins an object identity, a trigger and qualifiers into a transition id. */
export function transitionId(
  objectIdentity: string,
  trigger: string,
  ...qualifiers: (string | number)[]
): string {
  return [objectIdentity, trigger, ...qualifiers].map(idPart).join("/");
}

/** The identity of an object in ids: its uid, or namespace.name when a document has no uid (replay input). */
export function objectIdentity(meta: { uid?: string; namespace?: string; name: string }): string {
  return meta.uid && meta.uid.length > 0 ? meta.uid : `${meta.namespace ?? ""}.${meta.name}`;
}
