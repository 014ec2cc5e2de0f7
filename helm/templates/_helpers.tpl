{{/* Names ----------------------------------------------------------------------------- */}}
{{- define "liaison.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "liaison.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "liaison.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "liaison.configMapName" -}}
{{- printf "%s-config" (include "liaison.fullname" .) -}}
{{- end -}}

{{- define "liaison.secretName" -}}
{{- if .Values.secrets.existingSecret -}}
{{- .Values.secrets.existingSecret -}}
{{- else -}}
{{- printf "%s-secrets" (include "liaison.fullname" .) -}}
{{- end -}}
{{- end -}}

{{- define "liaison.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "liaison.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{/* Labels: call with (dict "root" $ "component" "web") ------------------------------- */}}
{{- define "liaison.selectorLabels" -}}
app.kubernetes.io/name: {{ include "liaison.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{- define "liaison.labels" -}}
helm.sh/chart: {{ include "liaison.chart" .root }}
{{ include "liaison.selectorLabels" . }}
app.kubernetes.io/version: {{ .root.Chart.AppVersion | quote }}
app.kubernetes.io/part-of: liaison
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
{{- end -}}

{{/* Image --------------------------------------------------------------------------- */}}
{{- define "liaison.image" -}}
{{- $tag := default .Chart.AppVersion .Values.image.tag -}}
{{- if .Values.image.digest -}}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest -}}
{{- else -}}
{{- printf "%s:%s" .Values.image.repository $tag -}}
{{- end -}}
{{- end -}}

{{/* Every setting, by reference: plain settings from the ConfigMap (the fixed ones, then
     config.settings), secrets from the Secret. Optional secrets (broker, search, Sentry,
     cache, SMTP password) may be absent from the Secret. */}}
{{- define "liaison.env" -}}
{{- $cm := include "liaison.configMapName" . -}}
{{- $secret := include "liaison.secretName" . -}}
{{- range $key := list "LIAISON_BASE_HOST" "DEBUG" "LIAISON_ENVIRONMENT" "LIAISON_RELEASE" "LIAISON_LOG_FORMAT" "LIAISON_LOG_LEVEL" "LIAISON_EXTRA_HOSTS" "LIAISON_READYZ_OPTIONAL" "LIAISON_READYZ_TIMEOUT" "LIAISON_SENTRY_TRACES_SAMPLE_RATE" "LIAISON_MEDIA_ROOT" "PGCONNECT_TIMEOUT" "LIAISON_HTTPS_REDIRECT" "LIAISON_HSTS_SECONDS" "LIAISON_COOKIE_SAMESITE" "LIAISON_TRUSTED_PROXY_COUNT" "LIAISON_LOGIN_FAILURE_LIMIT" "LIAISON_LOGIN_LOCKOUT_MINUTES" }}
- name: {{ $key }}
  valueFrom:
    configMapKeyRef:
      name: {{ $cm }}
      key: {{ $key }}
{{- end }}
- name: SECRET_KEY
  valueFrom:
    secretKeyRef:
      name: {{ $secret }}
      key: SECRET_KEY
- name: DATABASE_URL
  valueFrom:
    secretKeyRef:
      name: {{ $secret }}
      key: DATABASE_URL
{{- range $key := keys .Values.config.settings | sortAlpha }}
- name: {{ $key }}
  valueFrom:
    configMapKeyRef:
      name: {{ $cm }}
      key: {{ $key }}
{{- end }}
{{- range $key := list "CELERY_BROKER_URL" "ELASTICSEARCH_URL" "SENTRY_DSN" "LIAISON_CACHE_URL" "EMAIL_HOST_PASSWORD" }}
- name: {{ $key }}
  valueFrom:
    secretKeyRef:
      name: {{ $secret }}
      key: {{ $key }}
      optional: true
{{- end }}
{{- range .Values.extraEnv }}
- {{ toYaml . | nindent 2 | trim }}
{{- end }}
{{- end -}}

{{/* Pod-level pieces shared by every workload ------------------------------------------- */}}
{{- define "liaison.podSpecCommon" -}}
serviceAccountName: {{ include "liaison.serviceAccountName" . }}
automountServiceAccountToken: false
{{- with .Values.imagePullSecrets }}
imagePullSecrets:
  {{- toYaml . | nindent 2 }}
{{- end }}
securityContext:
  {{- toYaml .Values.podSecurityContext | nindent 2 }}
{{- end -}}

{{- define "liaison.mediaClaimName" -}}
{{- default (printf "%s-media" (include "liaison.fullname" .)) .Values.media.persistence.existingClaim -}}
{{- end -}}

{{/* Volumes of the long-running pods: /tmp, and media (uploads, attachments, exports),
     which web and worker must share. */}}
{{- define "liaison.volumes" -}}
- name: tmp
  emptyDir:
    sizeLimit: {{ .Values.tmpSizeLimit }}
- name: media
{{- if .Values.media.persistence.enabled }}
  persistentVolumeClaim:
    claimName: {{ include "liaison.mediaClaimName" . }}
{{- else }}
  emptyDir:
    sizeLimit: {{ .Values.media.sizeLimit }}
{{- end }}
{{- end -}}

{{- define "liaison.volumeMounts" -}}
- name: tmp
  mountPath: /tmp
- name: media
  mountPath: {{ .Values.media.mountPath }}
{{- end -}}

{{- define "liaison.checksums" -}}
checksum/config: {{ include (print .Template.BasePath "/configmap.yaml") . | sha256sum }}
checksum/secret: {{ include (print .Template.BasePath "/secret.yaml") . | sha256sum }}
{{- end -}}
