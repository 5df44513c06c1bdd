{{/* Chart name, truncated to the 63 characters of a DNS label. */}}
{{- define "rollouts-notifier.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Full name: fullnameOverride, or release-name (release name alone when it already contains the chart name). */}}
{{- define "rollouts-notifier.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/* A name with a suffix, still at most 63 characters. */}}
{{- define "rollouts-notifier.suffixed" -}}
{{- $full := include "rollouts-notifier.fullname" .root }}
{{- printf "%s-%s" ($full | trunc (int (sub 62 (len .suffix))) | trimSuffix "-") .suffix }}
{{- end }}

{{- define "rollouts-notifier.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Labels on every object. */}}
{{- define "rollouts-notifier.labels" -}}
helm.sh/chart: {{ include "rollouts-notifier.chart" . }}
app.kubernetes.io/name: {{ include "rollouts-notifier.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: rollouts-notifier
{{- end }}

{{/* Selects every notifier pod (main and worker Deployments), never the embedded Redis. */}}
{{- define "rollouts-notifier.selectorLabels" -}}
app.kubernetes.io/name: {{ include "rollouts-notifier.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/* Selects the embedded Redis pod. */}}
{{- define "rollouts-notifier.redisSelectorLabels" -}}
app.kubernetes.io/name: {{ include "rollouts-notifier.name" . }}-redis
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: redis
{{- end }}

{{/* Selects the `helm test` Pod (neither a notifier nor the Redis pod). */}}
{{- define "rollouts-notifier.testSelectorLabels" -}}
app.kubernetes.io/name: {{ include "rollouts-notifier.name" . }}-test
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: test
{{- end }}

{{- define "rollouts-notifier.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "rollouts-notifier.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "rollouts-notifier.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}

{{- define "rollouts-notifier.leaseName" -}}
{{- default (include "rollouts-notifier.fullname" .) .Values.leaderElection.leaseName }}
{{- end }}

{{- define "rollouts-notifier.redisServiceName" -}}
{{- include "rollouts-notifier.suffixed" (dict "root" . "suffix" "redis") }}
{{- end }}

{{/*
Which Redis the service uses: "url" (redis.url), "existingSecret" (redis.existingSecret), "sentinel"
(redis.sentinel.addresses), "cluster" (redis.cluster.nodes) or "embedded" (the chart's own Redis, the default: used
unless one of the others is set).
*/}}
{{- define "rollouts-notifier.redisMode" -}}
{{- if .Values.redis.url }}url{{ else if .Values.redis.existingSecret }}existingSecret{{ else if .Values.redis.sentinel.addresses }}sentinel{{ else if .Values.redis.cluster.nodes }}cluster{{ else if .Values.redis.embedded.enabled }}embedded{{ end }}
{{- end }}

{{/* True ("true") when the chart runs its own Redis. */}}
{{- define "rollouts-notifier.redisEmbedded" -}}
{{- if eq (include "rollouts-notifier.redisMode" .) "embedded" }}true{{ end }}
{{- end }}

{{/* True ("true") when the chart runs its own Redis with a password (redis.embedded.auth.enabled). */}}
{{- define "rollouts-notifier.redisEmbeddedAuth" -}}
{{- if and (include "rollouts-notifier.redisEmbedded" .) .Values.redis.embedded.auth.enabled }}true{{ end }}
{{- end }}

{{/*
Name and key of the Secret holding the embedded Redis' password: the user's, or the one the pre-install/pre-upgrade
hook Job (redis-password-init.yaml) creates with a random password if it does not exist yet.
*/}}
{{- define "rollouts-notifier.redisAuthSecretName" -}}
{{- if .Values.redis.embedded.auth.existingSecret }}
{{- .Values.redis.embedded.auth.existingSecret }}
{{- else }}
{{- include "rollouts-notifier.suffixed" (dict "root" . "suffix" "redis-auth") }}
{{- end }}
{{- end }}

{{- define "rollouts-notifier.redisAuthSecretKey" -}}
{{- if .Values.redis.embedded.auth.existingSecret }}
{{- .Values.redis.embedded.auth.passwordKey }}
{{- else }}
{{- print "redis-password" }}
{{- end }}
{{- end }}

{{/* An env entry named `name` holding the embedded Redis' password from its Secret. Call with (dict "root" $ "name" N). */}}
{{- define "rollouts-notifier.redisAuthEnv" -}}
- name: {{ .name }}
  valueFrom:
    secretKeyRef:
      name: {{ include "rollouts-notifier.redisAuthSecretName" .root }}
      key: {{ include "rollouts-notifier.redisAuthSecretKey" .root }}
{{- end }}

{{/* At most one external Redis, and some Redis; fails the render with a message naming the values. */}}
{{- define "rollouts-notifier.validateRedis" -}}
{{- $external := 0 }}
{{- range (list .Values.redis.url .Values.redis.existingSecret .Values.redis.sentinel.addresses .Values.redis.cluster.nodes) }}{{ if . }}{{ $external = add1 $external }}{{ end }}{{ end }}
{{- if gt (int $external) 1 }}
{{- fail "rollouts-notifier: set only one of redis.url or redis.existingSecret — or, instead of a URL, redis.sentinel.addresses or redis.cluster.nodes (any of them turns the embedded Redis off)" }}
{{- end }}
{{- if not (include "rollouts-notifier.redisMode" .) }}
{{- fail "rollouts-notifier: redis.embedded.enabled=false needs an external Redis: set redis.url or redis.existingSecret (the service needs Redis for its queue and per-object state)" }}
{{- end }}
{{- with .Values.redis.tls }}
{{- if and (or .certKey .keyKey) (not (and .certKey .keyKey)) }}
{{- fail "rollouts-notifier: redis.tls.certKey and redis.tls.keyKey go together (a client certificate needs both)" }}
{{- end }}
{{- if and (or .certKey .keyKey) (not .existingSecret) }}
{{- fail "rollouts-notifier: redis.tls.certKey/keyKey need redis.tls.existingSecret" }}
{{- end }}
{{- end }}
{{- if and .Values.redis.sentinel.username (not .Values.redis.sentinel.addresses) }}
{{- fail "rollouts-notifier: redis.sentinel.username needs redis.sentinel.addresses" }}
{{- end }}
{{- if and .Values.redis.url (not (regexMatch "^rediss?://" .Values.redis.url)) }}
{{- fail "rollouts-notifier: redis.url must start with redis:// or rediss://" }}
{{- end }}
{{- if and (include "rollouts-notifier.redisEmbedded" .) .Values.redis.auth.existingSecret }}
{{- fail "rollouts-notifier: redis.auth.existingSecret is the password of an external Redis; the embedded Redis takes its password from redis.embedded.auth.existingSecret" }}
{{- end }}
{{- if and (include "rollouts-notifier.redisEmbedded" .) .Values.redis.embedded.auth.existingSecret (not .Values.redis.embedded.auth.enabled) }}
{{- fail "rollouts-notifier: redis.embedded.auth.existingSecret is set but redis.embedded.auth.enabled=false: the password would be unused" }}
{{- end }}
{{- end }}

{{/* Name and key of the Secret holding REDIS_URL. */}}
{{- define "rollouts-notifier.redisSecretName" -}}
{{- if .Values.redis.existingSecret }}
{{- .Values.redis.existingSecret }}
{{- else }}
{{- include "rollouts-notifier.suffixed" (dict "root" . "suffix" "redis-url") }}
{{- end }}
{{- end }}

{{- define "rollouts-notifier.redisSecretKey" -}}
{{- if .Values.redis.existingSecret }}
{{- .Values.redis.existingSecretKey }}
{{- else }}
{{- print "redis-url" }}
{{- end }}
{{- end }}

{{- define "rollouts-notifier.redisUrl" -}}
{{- if include "rollouts-notifier.redisEmbedded" . }}
{{- printf "redis://%s.%s.svc:6379" (include "rollouts-notifier.redisServiceName" .) .Release.Namespace }}
{{- else }}
{{- .Values.redis.url }}
{{- end }}
{{- end }}

{{/*
Environment of a notifier container: the contract in docs/settings.md. Call with
(dict "root" $ "concurrency" N "resources" R).
*/}}
{{- define "rollouts-notifier.env" -}}
{{- $v := .root.Values -}}
- name: POD_NAME
  valueFrom:
    fieldRef:
      fieldPath: metadata.name
- name: POD_NAMESPACE
  valueFrom:
    fieldRef:
      fieldPath: metadata.namespace
{{- include "rollouts-notifier.redisEnv" .root }}
{{- with $v.watch.namespaces }}
- name: WATCH_NAMESPACES
  value: {{ join "," . | quote }}
{{- end }}
{{- with $v.watch.selector }}
- name: WATCH_SELECTOR
  value: {{ . | quote }}
{{- end }}
- name: NOTIFIER_CONFIGMAP
  value: {{ $v.notifications.configMapName | quote }}
- name: NOTIFIER_SECRET
  value: {{ $v.notifications.secretName | quote }}
- name: ANNOTATION_PREFIX
  value: {{ $v.notifications.annotationPrefix | quote }}
- name: WORKER_CONCURRENCY
  value: {{ .concurrency | quote }}
- name: LOG_LEVEL
  value: {{ $v.logLevel | quote }}
- name: HTTP_PORT
  value: {{ $v.httpPort | quote }}
- name: LEASE_NAME
  value: {{ include "rollouts-notifier.leaseName" .root | quote }}
- name: ALLOW_PRIVATE_WEBHOOKS
  value: {{ $v.notifications.allowPrivateWebhooks | quote }}
{{- with $v.notifications.tenantConcurrency }}
- name: TENANT_CONCURRENCY
  value: {{ . | quote }}
{{- end }}
- name: HISTORY_ENABLED
  value: {{ $v.console.history.enabled | quote }}
- name: HISTORY_TRANSITIONS_PER_ROLLOUT
  value: {{ $v.console.history.transitionsPerRollout | quote }}
- name: HISTORY_MAX_AGE_HOURS
  value: {{ $v.console.history.maxAgeHours | quote }}
- name: HISTORY_MAX_ROLLOUTS
  value: {{ $v.console.history.maxRollouts | quote }}
- name: ROLLOUT_EVENTS
  value: {{ $v.rolloutEvents.enabled | quote }}
{{- with $v.console.tokenSecret.name }}
- name: CONSOLE_TOKEN
  valueFrom:
    secretKeyRef:
      name: {{ . }}
      key: {{ $v.console.tokenSecret.key }}
{{- end }}
{{- with (include "rollouts-notifier.nodeOptions" (dict "root" .root "resources" .resources)) }}
- name: NODE_OPTIONS
  value: {{ . | quote }}
{{- end }}
{{- with $v.malloc }}
{{- if .arenaMax }}
- name: MALLOC_ARENA_MAX
  value: {{ .arenaMax | int | toString | quote }}
{{- end }}
{{- if .mmapThresholdBytes }}
- name: MALLOC_MMAP_THRESHOLD_
  value: {{ .mmapThresholdBytes | int | toString | quote }}
{{- end }}
{{- if .trimThresholdBytes }}
- name: MALLOC_TRIM_THRESHOLD_
  value: {{ .trimThresholdBytes | int | toString | quote }}
{{- end }}
{{- end }}
{{- with $v.extraEnv }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/* A memory quantity (resources.limits.memory) in MiB, rounded down: 384Mi, 1Gi, 512M, 1G, 400000000, 1.5Gi. */}}
{{- define "rollouts-notifier.memoryMiB" -}}
{{- $q := toString . -}}
{{- $m := regexFind "^[0-9]+(\\.[0-9]+)?" $q -}}
{{- $unit := trimPrefix $m $q -}}
{{- $factors := dict "" 0.00000095367431640625 "k" 0.0009765625 "Ki" 0.0009765625 "M" 0.95367431640625 "Mi" 1.0 "G" 953.67431640625 "Gi" 1024.0 "T" 953674.31640625 "Ti" 1048576.0 -}}
{{- if or (not $m) (not (hasKey $factors $unit)) -}}
{{- fail (printf "resources.limits.memory %q is not a memory quantity (e.g. 384Mi, 1Gi)" $q) -}}
{{- end -}}
{{- mulf (float64 $m) (get $factors $unit) | floor | int -}}
{{- end }}

{{/* NODE_OPTIONS for a container: nodeHeap.nodeOptions verbatim, else V8 heap flags derived from its memory
limit, else nothing (no limit: V8's own sizing). Call with (dict "root" $ "resources" R). */}}
{{- define "rollouts-notifier.nodeOptions" -}}
{{- $h := .root.Values.nodeHeap -}}
{{- $limit := dig "limits" "memory" "" (.resources | default dict) -}}
{{- if $h.nodeOptions -}}
{{- $h.nodeOptions -}}
{{- else if $limit -}}
{{- $mib := include "rollouts-notifier.memoryMiB" $limit | int -}}
{{- $old := div (mul $mib (int $h.oldSpacePercent)) 100 -}}
{{- if lt $old 64 -}}
{{- fail (printf "resources.limits.memory %s leaves %d MiB of V8 old space (nodeHeap.oldSpacePercent %d); the service needs at least 64" (toString $limit) $old (int $h.oldSpacePercent)) -}}
{{- end -}}
{{- printf "--max-old-space-size=%d --max-semi-space-size=%d" $old (int $h.semiSpaceMiB) -}}
{{- end -}}
{{- end }}

{{/* The pod spec shared by the main and worker Deployments. Call with (dict "root" $ "mode" M "concurrency" N "resources" R "component" C). */}}
{{- define "rollouts-notifier.podSpec" -}}
{{- $v := .root.Values -}}
serviceAccountName: {{ include "rollouts-notifier.serviceAccountName" .root }}
automountServiceAccountToken: true
{{- with $v.imagePullSecrets }}
imagePullSecrets:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with $v.priorityClassName }}
priorityClassName: {{ . }}
{{- end }}
terminationGracePeriodSeconds: {{ $v.terminationGracePeriodSeconds }}
securityContext:
  {{- toYaml $v.podSecurityContext | nindent 2 }}
containers:
  - name: rollouts-notifier
    image: {{ include "rollouts-notifier.image" .root }}
    imagePullPolicy: {{ $v.image.pullPolicy }}
    args:
      - {{ .mode }}
      {{- range $v.extraArgs }}
      - {{ . | quote }}
      {{- end }}
    env:
      {{- include "rollouts-notifier.env" (dict "root" .root "concurrency" .concurrency "resources" .resources) | nindent 6 }}
    ports:
      - name: http
        containerPort: {{ $v.httpPort }}
        protocol: TCP
    livenessProbe:
      httpGet:
        path: /healthz
        port: http
      {{- toYaml $v.livenessProbe | nindent 6 }}
    readinessProbe:
      httpGet:
        path: /readyz
        port: http
      {{- toYaml $v.readinessProbe | nindent 6 }}
    resources:
      {{- toYaml .resources | nindent 6 }}
    securityContext:
      {{- toYaml $v.securityContext | nindent 6 }}
    volumeMounts:
      - name: tmp
        mountPath: /tmp
      {{- if $v.redis.tls.existingSecret }}
      - name: redis-tls
        mountPath: {{ include "rollouts-notifier.redisTlsDir" .root }}
        readOnly: true
      {{- end }}
volumes:
  - name: tmp
    emptyDir:
      medium: Memory
      sizeLimit: 64Mi
  {{- if $v.redis.tls.existingSecret }}
  - name: redis-tls
    secret:
      secretName: {{ $v.redis.tls.existingSecret }}
      defaultMode: 288 # 0440: owner and group read
  {{- end }}
{{- with $v.nodeSelector }}
nodeSelector:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with $v.tolerations }}
tolerations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with $v.affinity }}
affinity:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- if $v.topologySpreadConstraints }}
topologySpreadConstraints:
  {{- range $v.topologySpreadConstraints }}
  {{- $c := . }}
  {{- if not .labelSelector }}
  {{- $c = merge (dict "labelSelector" (dict "matchLabels" (merge (include "rollouts-notifier.selectorLabels" $.root | fromYaml) (dict "app.kubernetes.io/component" $.component)))) . }}
  {{- end }}
  {{- toYaml (list $c) | nindent 2 }}
  {{- end }}
{{- end }}
{{- end }}

{{/* Read of the config ConfigMap and Secret, by name only. */}}
{{- define "rollouts-notifier.configRules" -}}
- apiGroups: [""]
  resources: ["configmaps"]
  resourceNames: [{{ .Values.notifications.configMapName | quote }}]
  verbs: ["get", "list", "watch"]
- apiGroups: [""]
  resources: ["secrets"]
  resourceNames: [{{ .Values.notifications.secretName | quote }}]
  verbs: ["get", "list", "watch"]
{{- end }}

{{/* Reads in every watched namespace: the Argo Rollouts objects, and the per-namespace self-service config. */}}
{{- define "rollouts-notifier.watchedRules" -}}
- apiGroups: ["argoproj.io"]
  resources: ["rollouts", "analysisruns", "experiments"]
  verbs: ["get", "list", "watch"]
{{- if .Values.rolloutEvents.enabled }}
# Events on the Rollout for delivery outcomes (rolloutEvents.enabled); patch aggregates repeats.
- apiGroups: [""]
  resources: ["events"]
  verbs: ["create", "patch"]
{{- end }}
{{ include "rollouts-notifier.configRules" . }}
{{- end }}

{{/* Whether Redis is reached through a URL (url, existingSecret or the embedded Redis). */}}
{{- define "rollouts-notifier.redisByUrl" -}}
{{- if has (include "rollouts-notifier.redisMode" .) (list "url" "existingSecret" "embedded") }}true{{ end }}
{{- end }}

{{/* Where the Redis TLS Secret is mounted. */}}
{{- define "rollouts-notifier.redisTlsDir" -}}/etc/rollouts-notifier/redis-tls{{- end }}

{{/* The Redis part of the environment (docs/settings.md): topology, ACL credentials from a Secret, TLS files. */}}
{{- define "rollouts-notifier.redisEnv" -}}
{{- $r := .Values.redis }}
{{- if include "rollouts-notifier.redisByUrl" . }}
- name: REDIS_URL
  valueFrom:
    secretKeyRef:
      name: {{ include "rollouts-notifier.redisSecretName" . }}
      key: {{ include "rollouts-notifier.redisSecretKey" . }}
{{- else if $r.sentinel.addresses }}
- name: REDIS_SENTINELS
  value: {{ join "," $r.sentinel.addresses | quote }}
- name: REDIS_SENTINEL_MASTER
  value: {{ $r.sentinel.masterName | quote }}
{{- with $r.sentinel.username }}
- name: REDIS_SENTINEL_USERNAME
  value: {{ . | quote }}
{{- end }}
{{- else }}
- name: REDIS_CLUSTER
  value: {{ join "," $r.cluster.nodes | quote }}
{{- end }}
{{- with $r.username }}
- name: REDIS_USERNAME
  value: {{ . | quote }}
{{- end }}
{{- if include "rollouts-notifier.redisEmbeddedAuth" . }}
{{ include "rollouts-notifier.redisAuthEnv" (dict "root" . "name" "REDIS_PASSWORD") }}
{{- else if $r.auth.existingSecret }}
{{- with $r.auth.passwordKey }}
- name: REDIS_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ $r.auth.existingSecret }}
      key: {{ . }}
{{- end }}
{{- with $r.auth.sentinelPasswordKey }}
- name: REDIS_SENTINEL_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ $r.auth.existingSecret }}
      key: {{ . }}
{{- end }}
{{- end }}
{{- if $r.tls.enabled }}
- name: REDIS_TLS
  value: "true"
{{- end }}
{{- if $r.tls.existingSecret }}
{{- with $r.tls.caKey }}
- name: REDIS_TLS_CA_FILE
  value: {{ printf "%s/%s" (include "rollouts-notifier.redisTlsDir" $) . | quote }}
{{- end }}
{{- if $r.tls.certKey }}
- name: REDIS_TLS_CERT_FILE
  value: {{ printf "%s/%s" (include "rollouts-notifier.redisTlsDir" $) $r.tls.certKey | quote }}
- name: REDIS_TLS_KEY_FILE
  value: {{ printf "%s/%s" (include "rollouts-notifier.redisTlsDir" $) $r.tls.keyKey | quote }}
{{- end }}
{{- end }}
{{- if $r.tls.insecure }}
- name: REDIS_TLS_INSECURE
  value: "true"
{{- end }}
{{- end }}
