"""Prefecture schemas are isolated from each other, at the ORM level and over HTTP."""
from __future__ import annotations

import json

import pytest
from django_tenants.utils import schema_context

from liaison.tenants.divisions.models import Division

pytestmark = pytest.mark.django_db


def test_rows_written_in_one_prefecture_are_invisible_in_another(kunming, qujing):
    with schema_context("kunming"):
        Division.objects.create(code="530102999", name="测试镇", level="township", parent=Division.objects.get(code="530100"))
        assert Division.objects.filter(code="530102999").exists()
    with schema_context("qujing"):
        assert not Division.objects.filter(code="530102999").exists()
        assert not Division.objects.filter(code="530100").exists()
        assert Division.objects.get(level="prefecture").name == "曲靖市"


def test_each_prefecture_has_its_counties_from_yunnan_json(kunming, qujing):
    with schema_context("kunming"):
        assert Division.objects.filter(level="county").count() == 14
        assert Division.objects.filter(name="五华区", parent__code="530100").exists()
    with schema_context("qujing"):
        assert Division.objects.filter(level="county").count() == 9


@pytest.mark.parametrize("host, expected_province", [("localhost", True), ("kunming.localhost", False), ("qujing.localhost", False)])
def test_each_host_answers_graphql_for_its_own_schema(client, kunming, qujing, host, expected_province):
    resp = client.post("/graphql/", json.dumps({"query": "{ host { isProvince schemaName prefecture { slug } } }"}),
                       content_type="application/json", HTTP_HOST=host)
    assert resp.status_code == 200, resp.content
    data = resp.json()["data"]["host"]
    assert data["isProvince"] is expected_province
    assert data["schemaName"] == ("public" if expected_province else host.split(".")[0])


def test_unknown_host_is_not_found_rather_than_the_province(client, db):
    resp = client.get("/graphql/", HTTP_HOST="nowhere.localhost")
    assert resp.status_code == 404


def test_graphql_introspection_is_open(client, kunming):
    resp = client.post("/graphql/", json.dumps({"query": "{ __schema { queryType { name } } }"}),
                       content_type="application/json", HTTP_HOST="kunming.localhost")
    assert resp.json()["data"]["__schema"]["queryType"]["name"] == "Query"


def test_interface_speaks_chinese_with_english_available(client, kunming):
    zh = client.get("/admin/login/", HTTP_HOST="kunming.localhost")
    en = client.get("/admin/login/", HTTP_HOST="kunming.localhost", HTTP_ACCEPT_LANGUAGE="en")
    assert "登录" in zh.content.decode()
    assert "Log in" in en.content.decode()
