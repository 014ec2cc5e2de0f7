"""The Helm chart: linted and rendered with Helm's own Go library (helm-python-sdk), for
the default values and production-like values, every manifest validated against the
Kubernetes OpenAPI schemas (kubernetes-validate, strict: unknown fields fail)."""
from __future__ import annotations

from pathlib import Path

import helm_python as helm
import kubernetes_validate
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
CHART = ROOT / "helm"
KUBERNETES_VERSION = "1.34.0"
SETTINGS = {"DATABASE_URL", "CELERY_BROKER_URL", "ELASTICSEARCH_URL", "SENTRY_DSN", "SECRET_KEY",
            "LIAISON_BASE_HOST", "DEBUG"}
SECRET_SETTINGS = {"DATABASE_URL", "CELERY_BROKER_URL", "ELASTICSEARCH_URL", "SENTRY_DSN", "SECRET_KEY",
                   "LIAISON_CACHE_URL", "EMAIL_HOST_PASSWORD"}


def production_values() -> dict:
    return helm.values_from_yaml((CHART / "ci" / "production-values.yaml").read_text())


VALUES = {"default": lambda: {}, "production": production_values}


def render(values: dict) -> list[dict]:
    with helm.Chart.load(CHART) as chart:
        manifests = chart.render(values, name="liaison", namespace="liaison", is_install=True)
    docs = []
    for path, text in manifests.items():
        if path.endswith(".yaml"):
            docs += [doc for doc in yaml.safe_load_all(text) if doc]
    return docs


@pytest.fixture(scope="module", params=list(VALUES))
def rendered(request) -> tuple[str, list[dict]]:
    return request.param, render(VALUES[request.param]())


def by_kind(docs, kind, name=None):
    found = [d for d in docs if d["kind"] == kind and (name is None or d["metadata"]["name"] == name)]
    return found


def one(docs, kind, name):
    (doc,) = by_kind(docs, kind, name)
    return doc


def pod_specs(docs):
    for doc in docs:
        if doc["kind"] in ("Deployment", "Job"):
            yield doc["metadata"]["name"], doc["spec"]["template"]


def containers(pod_template):
    spec = pod_template["spec"]
    return spec.get("initContainers", []) + spec["containers"]


@pytest.mark.parametrize("name", list(VALUES))
def test_chart_lints_clean_in_strict_mode(name):
    report = helm.lint(str(CHART), VALUES[name](), strict=True, kube_version=f"v{KUBERNETES_VERSION}")
    assert report["errors"] == []
    assert [m for m in report["messages"] if m["severity"] >= 2] == [], report["messages"]


def test_every_rendered_manifest_is_valid_kubernetes(rendered):
    name, docs = rendered
    assert docs
    for doc in docs:
        kubernetes_validate.validate(doc, KUBERNETES_VERSION, strict=True)


def test_every_kind_the_deployment_needs_is_rendered(rendered):
    name, docs = rendered
    kinds = {(d["kind"], d["metadata"]["name"]) for d in docs}
    assert {("Deployment", "liaison-web"), ("Service", "liaison-web"), ("HorizontalPodAutoscaler", "liaison-web"),
            ("PodDisruptionBudget", "liaison-web"), ("Deployment", "liaison-worker"), ("Deployment", "liaison-beat"),
            ("Job", "liaison-migrate"), ("Ingress", "liaison"), ("ConfigMap", "liaison-config"),
            ("ServiceAccount", "liaison")} <= kinds
    assert (("Secret", "liaison-secrets") in kinds) == (name == "production")  # default: an existing Secret


def test_beat_is_exactly_one_pod_replaced_on_upgrade(rendered):
    beat = one(rendered[1], "Deployment", "liaison-beat")
    assert beat["spec"]["replicas"] == 1
    assert beat["spec"]["strategy"] == {"type": "Recreate"}
    assert [c["args"] for c in beat["spec"]["template"]["spec"]["containers"]] == [["beat"]]


def test_migrations_run_as_a_hook_shared_first_then_tenants_in_parallel(rendered):
    job = one(rendered[1], "Job", "liaison-migrate")
    assert job["metadata"]["annotations"]["helm.sh/hook"] == "pre-install,pre-upgrade"
    spec = job["spec"]["template"]["spec"]
    assert spec["restartPolicy"] == "Never"
    assert [c["args"] for c in spec["initContainers"]] == [["liaison", "migrate_schemas", "--shared", "--noinput"]]
    assert [c["args"] for c in spec["containers"]] == [
        ["liaison", "migrate_schemas", "--tenant", "--executor=multiprocessing", "--noinput"]]


def test_what_the_migration_job_needs_exists_before_it(rendered):
    """Hooks run before the release's ordinary resources exist: the ConfigMap, a chart-made
    Secret and the ServiceAccount are hooks too, with a lower weight."""
    docs = rendered[1]
    job_weight = int(one(docs, "Job", "liaison-migrate")["metadata"]["annotations"]["helm.sh/hook-weight"])
    for kind in ("ConfigMap", "Secret", "ServiceAccount"):
        for doc in by_kind(docs, kind):
            annotations = doc["metadata"]["annotations"]
            assert annotations["helm.sh/hook"] == "pre-install,pre-upgrade", kind
            assert int(annotations["helm.sh/hook-weight"]) < job_weight, kind


def test_ingress_serves_the_province_host_and_every_prefecture_host(rendered):
    name, docs = rendered
    ingress = one(docs, "Ingress", "liaison")
    base = "rd.example.gov.cn" if name == "default" else "rd.yn.example.gov.cn"
    assert [r["host"] for r in ingress["spec"]["rules"]] == [base, f"*.{base}"]
    for rule in ingress["spec"]["rules"]:
        (path,) = rule["http"]["paths"]
        assert path["backend"]["service"] == {"name": "liaison-web", "port": {"name": "http"}}
    if name == "default":
        assert "tls" not in ingress["spec"]
    else:
        assert ingress["spec"]["tls"] == [{"hosts": [base, f"*.{base}"], "secretName": "liaison-wildcard-tls"}]


def test_every_setting_comes_from_the_configmap_or_the_secret(rendered):
    name, docs = rendered
    configmap = one(docs, "ConfigMap", "liaison-config")
    secrets = {d["metadata"]["name"]: d for d in by_kind(docs, "Secret")}
    for workload, template in pod_specs(docs):
        for container in containers(template):
            env = {e["name"]: e for e in container["env"]}
            assert SETTINGS | SECRET_SETTINGS <= set(env), (workload, container["name"])
            for key in SETTINGS | SECRET_SETTINGS:
                source = env[key]["valueFrom"]
                if key in SECRET_SETTINGS:
                    ref = source["secretKeyRef"]
                    assert ref["key"] == key and ref["name"] == "liaison-secrets"
                    assert ref.get("optional", False) == (key not in ("SECRET_KEY", "DATABASE_URL"))
                    if name == "production":  # the chart made the Secret: every key is in it
                        assert key in secrets[ref["name"]]["stringData"]
                else:
                    ref = source["configMapKeyRef"]
                    assert ref == {"name": "liaison-config", "key": key}
                    assert key in configmap["data"]
    assert configmap["data"]["DEBUG"] == "false"


def test_other_settings_go_through_the_configmap_too():
    docs = render(production_values())
    configmap = one(docs, "ConfigMap", "liaison-config")
    assert configmap["data"]["EMAIL_PORT"] == "465" and configmap["data"]["ELASTICSEARCH_INDEX_PREFIX"] == "yn-liaison"
    for workload, template in pod_specs(docs):
        for container in containers(template):
            env = {e["name"]: e for e in container["env"]}
            assert env["EMAIL_HOST"]["valueFrom"]["configMapKeyRef"] == {"name": "liaison-config", "key": "EMAIL_HOST"}
            assert env["NO_PROXY"] == {"name": "NO_PROXY", "value": ".svc,.cluster.local"}


def test_web_has_probes_service_hpa_and_pdb_that_match_its_pods(rendered):
    name, docs = rendered
    web = one(docs, "Deployment", "liaison-web")
    labels = web["spec"]["template"]["metadata"]["labels"]
    (container,) = web["spec"]["template"]["spec"]["containers"]
    assert container["args"] == ["web"]
    assert container["livenessProbe"]["httpGet"] == {"path": "/healthz", "port": "http"}
    assert container["readinessProbe"]["httpGet"] == {"path": "/readyz", "port": "http"}
    assert container["startupProbe"]["httpGet"]["path"] == "/healthz"
    assert "replicas" not in web["spec"], "the HPA owns the replica count"
    service = one(docs, "Service", "liaison-web")
    assert service["spec"]["selector"].items() <= labels.items()
    assert service["spec"]["ports"][0]["targetPort"] == "http"
    hpa = one(docs, "HorizontalPodAutoscaler", "liaison-web")
    assert hpa["spec"]["scaleTargetRef"] == {"apiVersion": "apps/v1", "kind": "Deployment", "name": "liaison-web"}
    assert 1 <= hpa["spec"]["minReplicas"] <= hpa["spec"]["maxReplicas"]
    pdb = one(docs, "PodDisruptionBudget", "liaison-web")
    assert pdb["spec"]["selector"]["matchLabels"].items() <= labels.items()
    assert pdb["spec"]["minAvailable"] < hpa["spec"]["minReplicas"], "a PDB must still allow a node drain"


def test_every_pod_is_locked_down_with_resources(rendered):
    for workload, template in pod_specs(rendered[1]):
        spec = template["spec"]
        assert spec["automountServiceAccountToken"] is False
        pod_sc = spec["securityContext"]
        assert pod_sc["runAsNonRoot"] is True and pod_sc["runAsUser"] != 0
        assert pod_sc["seccompProfile"] == {"type": "RuntimeDefault"}
        tmp = next(v for v in spec["volumes"] if v["name"] == "tmp")
        assert "emptyDir" in tmp
        for container in containers(template):
            sc = container["securityContext"]
            assert sc["runAsNonRoot"] is True and sc["readOnlyRootFilesystem"] is True
            assert sc["allowPrivilegeEscalation"] is False and sc["privileged"] is False
            assert sc["capabilities"] == {"drop": ["ALL"]}
            assert sc["seccompProfile"] == {"type": "RuntimeDefault"}
            assert {"name": "tmp", "mountPath": "/tmp"} in container["volumeMounts"]
            assert container["resources"]["requests"]["cpu"] and container["resources"]["requests"]["memory"]
            assert container["resources"]["limits"]["memory"], (workload, container["name"])


def test_production_values_pin_the_image_by_digest_and_enable_worker_autoscaling():
    docs = render(production_values())
    images = {c["image"] for _, t in pod_specs(docs) for c in containers(t)}
    assert images == {"registry.yn.example.gov.cn/liaison/liaison@sha256:"
                      "4f2a9c1e0b7d3a5c6e8f9a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d"}
    assert "replicas" not in one(docs, "Deployment", "liaison-worker")["spec"]
    assert one(docs, "HorizontalPodAutoscaler", "liaison-worker")["spec"]["maxReplicas"] == 12
    for deployment in ("liaison-web", "liaison-worker", "liaison-beat"):
        volumes = one(docs, "Deployment", deployment)["spec"]["template"]["spec"]["volumes"]
        assert {"name": "media", "persistentVolumeClaim": {"claimName": "liaison-media"}} in volumes
    assert by_kind(docs, "PersistentVolumeClaim") == []  # an existing claim is used as is


def test_web_and_worker_share_one_kept_read_write_many_media_claim():
    docs = render({})
    claim = one(docs, "PersistentVolumeClaim", "liaison-media")
    assert claim["spec"]["accessModes"] == ["ReadWriteMany"]
    assert claim["metadata"]["annotations"]["helm.sh/resource-policy"] == "keep"
    for deployment in ("liaison-web", "liaison-worker"):
        spec = one(docs, "Deployment", deployment)["spec"]["template"]["spec"]
        assert {"name": "media", "persistentVolumeClaim": {"claimName": "liaison-media"}} in spec["volumes"]
        assert {"name": "media", "mountPath": "/var/lib/liaison/media"} in spec["containers"][0]["volumeMounts"]
    job = one(docs, "Job", "liaison-migrate")["spec"]["template"]["spec"]
    assert [v["name"] for v in job["volumes"]] == ["tmp"], "the hook Job must not wait for the claim"


def test_without_autoscaling_the_deployment_sets_replicas():
    docs = render({"web": {"autoscaling": {"enabled": False}, "replicas": 3}})
    assert one(docs, "Deployment", "liaison-web")["spec"]["replicas"] == 3
    assert by_kind(docs, "HorizontalPodAutoscaler", "liaison-web") == []
    for doc in docs:
        kubernetes_validate.validate(doc, KUBERNETES_VERSION, strict=True)


@pytest.mark.parametrize("values, message", [
    ({"beat": {"replicas": 2}}, "additional properties 'replicas' not allowed"),
    ({"web": {"replicas": "two"}}, "want integer"),
    ({"baseHost": "https://rd.example.gov.cn/"}, "does not match pattern"),
    ({"secrets": {"databaseUrl": "mysql://db/liaison"}}, "does not match pattern"),
    ({"config": {"logFormat": "xml"}}, "value must be one of"),
    ({"config": {"settings": {"DATABASE_URL": "postgres://x"}}}, "DATABASE_URL"),
    ({"config": {"settings": {"email-host": "smtp"}}}, "does not match pattern"),
])
def test_the_values_schema_rejects_mistakes(values, message):
    with helm.Chart.load(CHART) as chart, pytest.raises(helm.HelmValuesError) as error:
        chart.render(values, name="liaison", namespace="liaison")
    assert message in str(error.value)


def test_a_chart_made_secret_needs_its_required_keys():
    with helm.Chart.load(CHART) as chart, pytest.raises(helm.HelmError) as error:
        chart.render({"secrets": {"create": True, "existingSecret": ""}}, name="liaison", namespace="liaison")
    assert "secrets.secretKey is required" in str(error.value)


SECURITY_SETTINGS = ("LIAISON_HTTPS_REDIRECT", "LIAISON_HSTS_SECONDS", "LIAISON_COOKIE_SAMESITE", "LIAISON_TRUSTED_PROXY_COUNT",
                     "LIAISON_LOGIN_FAILURE_LIMIT", "LIAISON_LOGIN_LOCKOUT_MINUTES")


def test_production_values_turn_on_the_https_redirect_and_hsts(rendered):
    name, docs = rendered
    data = one(docs, "ConfigMap", "liaison-config")["data"]
    if name == "production":
        assert data["LIAISON_HTTPS_REDIRECT"] == "true" and data["LIAISON_HSTS_SECONDS"] == "31536000"
    else:
        assert data["LIAISON_HTTPS_REDIRECT"] == "false" and data["LIAISON_HSTS_SECONDS"] == "0"
    assert data["LIAISON_LOGIN_FAILURE_LIMIT"] == "5" and data["LIAISON_TRUSTED_PROXY_COUNT"] == "1"
    for workload, template in pod_specs(docs):
        for container in containers(template):
            env = {e["name"]: e for e in container["env"]}
            for key in SECURITY_SETTINGS:
                assert env[key]["valueFrom"]["configMapKeyRef"] == {"name": "liaison-config", "key": key}, (workload, key)


def test_network_policies_let_only_the_ingress_and_monitoring_reach_web_and_nothing_reach_the_rest(rendered):
    name, docs = rendered
    web_policy = one(docs, "NetworkPolicy", "liaison-web")
    web_labels = one(docs, "Deployment", "liaison-web")["spec"]["template"]["metadata"]["labels"]
    assert web_policy["spec"]["podSelector"]["matchLabels"].items() <= web_labels.items()
    (rule,) = web_policy["spec"]["ingress"]
    assert [p["namespaceSelector"]["matchLabels"] for p in rule["from"]] == [
        {"kubernetes.io/metadata.name": "ingress-nginx"}, {"kubernetes.io/metadata.name": "monitoring"}]
    assert rule["ports"] == [{"port": "http", "protocol": "TCP"}]
    closed = one(docs, "NetworkPolicy", "liaison-no-inbound")
    assert closed["spec"]["ingress"] == [] and closed["spec"]["policyTypes"] == ["Ingress"]
    for workload in ("liaison-worker", "liaison-beat"):
        labels = one(docs, "Deployment", workload)["spec"]["template"]["metadata"]["labels"]
        for expr in closed["spec"]["podSelector"]["matchExpressions"]:
            assert labels[expr["key"]] in expr["values"], (workload, expr)
    for expr in closed["spec"]["podSelector"]["matchExpressions"]:
        assert web_labels[expr["key"]] not in expr["values"] or expr["key"] != "app.kubernetes.io/component"


def test_beat_has_a_liveness_probe_on_its_heartbeat(rendered):
    beat = one(rendered[1], "Deployment", "liaison-beat")
    (container,) = beat["spec"]["template"]["spec"]["containers"]
    assert container["livenessProbe"]["exec"]["command"] == ["python", "-m", "liaison.platform.beat", "check"]
    env = {e["name"]: e.get("value") for e in container["env"]}
    assert env["LIAISON_BEAT_HEARTBEAT_FILE"].startswith("/tmp/")  # the only writable path


def test_production_images_are_pinned_by_digest():
    docs = render(production_values())
    digest = production_values()["image"]["digest"]
    for workload, template in pod_specs(docs):
        for container in containers(template):
            assert container["image"] == f"registry.yn.example.gov.cn/liaison/liaison@{digest}", workload


def test_beat_heartbeat_check(tmp_path, monkeypatch):
    import os
    import time

    from liaison.platform import beat

    monkeypatch.setenv("LIAISON_BEAT_HEARTBEAT_FILE", str(tmp_path / "hb"))
    assert beat.check() == 1  # never ticked
    scheduler = beat.HeartbeatScheduler.__new__(beat.HeartbeatScheduler)
    monkeypatch.setattr(beat.PersistentScheduler, "tick", lambda self, *a, **k: 5.0)
    assert scheduler.tick() == 5.0 and beat.check() == 0
    old = time.time() - 600
    os.utime(tmp_path / "hb", (old, old))
    assert beat.check() == 1
