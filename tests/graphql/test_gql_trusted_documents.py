"""Trusted documents and automatic persisted queries (docs/API.md "Trusted documents")."""
from __future__ import annotations

import hashlib
import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from gql_helpers import post
from test_gql_docs import DOC, http_server  # noqa: F401 - the real HTTP server fixture

from liaison.platform.apiaccess import documents

CATEGORIES = "query Categories { categories { code name } }"
HOST = "query Host { host { schemaName } }"


def sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def persisted(digest: str, query: str | None = None) -> dict:
    body = {"extensions": {"persistedQuery": {"version": 1, "sha256Hash": digest}}}
    if query is not None:
        body["query"] = query
    return body


@pytest.fixture
def portal_key(make_key, kunming):
    secret = make_key("kunming", name="county portal")
    return secret, documents.key_for(secret)


def test_apq_first_not_found_then_registered_by_sending_the_query(kunming):
    digest = sha(CATEGORIES)
    miss = post("kunming", persisted(digest))
    assert miss.status == 404 and miss.codes == ["PERSISTED_QUERY_NOT_FOUND"]
    assert miss.errors[0]["message"] == "PersistedQueryNotFound"
    first = post("kunming", persisted(digest, CATEGORIES))
    assert first.ok()["categories"]
    again = post("kunming", persisted(digest))
    assert again.ok() == first.data
    get = Client().get("/graphql/", {"extensions": json.dumps(persisted(digest)["extensions"])},
                       HTTP_HOST="kunming.localhost", HTTP_ACCEPT="application/json")
    assert get.status_code == 200 and get.json()["data"] == first.data


def test_apq_hash_must_match_the_query(kunming):
    resp = post("kunming", persisted(sha("something else"), CATEGORIES))
    assert resp.status == 400 and resp.codes == ["PERSISTED_QUERY_HASH_MISMATCH"]
    bad = post("kunming", persisted("not-a-hash"))
    assert bad.status == 400 and bad.codes == ["BAD_REQUEST"]


def test_a_restricted_key_runs_only_its_registered_documents(portal_key, tmp_path):
    secret, key = portal_key
    path = tmp_path / "ops.graphql"
    path.write_text(CATEGORIES, encoding="utf-8")
    call_command("trusted_documents", "add", f"lsk_{key.prefix}", str(path), stdout=io.StringIO())
    call_command("trusted_documents", "enforce", f"lsk_{key.prefix}", "on", stdout=io.StringIO())
    # by hash only, and by full text
    assert post("kunming", persisted(sha(CATEGORIES)), key=secret).ok()["categories"]
    assert post("kunming", {"query": CATEGORIES}, key=secret).ok()["categories"]
    # anything else: refused with a stable code, whether sent as text or registered by APQ
    refused = post("kunming", {"query": HOST}, key=secret)
    assert refused.status == 403 and refused.codes == ["TRUSTED_DOCUMENT_REQUIRED"]
    assert post("kunming", persisted(sha(HOST), HOST), key=secret).codes == ["TRUSTED_DOCUMENT_REQUIRED"]
    assert post("kunming", persisted(sha(HOST)), key=secret).codes == ["TRUSTED_DOCUMENT_REQUIRED"]
    # other callers are not affected
    assert post("kunming", {"query": HOST}).ok()["host"]["schemaName"] == "kunming"
    call_command("trusted_documents", "enforce", f"lsk_{key.prefix}", "off", stdout=io.StringIO())
    assert post("kunming", {"query": HOST}, key=secret).ok()


def test_another_keys_documents_do_not_count(portal_key, make_key):
    secret, key = portal_key
    other = documents.key_for(make_key("kunming", name="other"))
    documents.register(other, CATEGORIES)
    documents.set_trusted_only(key, True)
    assert post("kunming", persisted(sha(CATEGORIES)), key=secret).codes == ["TRUSTED_DOCUMENT_REQUIRED"]


def test_the_command_reads_manifests_and_names_problems(portal_key, tmp_path):
    _secret, key = portal_key
    manifest = tmp_path / "persisted-query-manifest.json"
    manifest.write_text(json.dumps({"format": "apollo-persisted-query-manifest", "version": 1, "operations": [
        {"id": sha(CATEGORIES), "name": "Categories", "type": "query", "body": CATEGORIES},
        {"id": sha(HOST), "name": "Host", "type": "query", "body": HOST}]}), encoding="utf-8")
    out = io.StringIO()
    call_command("trusted_documents", "add", key.prefix, str(manifest), stdout=out)
    assert sha(CATEGORIES) in out.getvalue() and sha(HOST) in out.getvalue()
    listed = io.StringIO()
    call_command("trusted_documents", "list", key.prefix, stdout=listed)
    assert "Categories" in listed.getvalue() and "any document" in listed.getvalue()
    broken = tmp_path / "broken.json"
    broken.write_text(json.dumps({sha("{ nope }"): "{ nope }"}), encoding="utf-8")
    with pytest.raises(CommandError, match=r"broken.json.0.document: "):
        call_command("trusted_documents", "add", key.prefix, str(broken), stdout=io.StringIO())
    with pytest.raises(CommandError, match="key: "):
        call_command("trusted_documents", "list", "lsk_nosuchkey", stdout=io.StringIO())
    call_command("trusted_documents", "remove", key.prefix, sha(HOST), stdout=io.StringIO())
    assert [d.name for d in documents.documents_of(key)] == ["Categories"]


def test_admin_registers_documents_by_hash_on_the_province_host(portal_key, users):
    _secret, key = portal_key
    admin = users["province_admin"]
    admin.is_staff = True
    admin.save(update_fields=["is_staff"])
    c = Client(HTTP_HOST="localhost")
    c.force_login(admin)
    resp = c.post("/admin/apiaccess/trusteddocument/add/", {"api_key": key.pk, "name": "", "document": CATEGORIES})
    assert resp.status_code == 302, resp.content.decode()[:1500]
    assert [d.sha256 for d in documents.documents_of(key)] == [sha(CATEGORIES)]
    bad = c.post("/admin/apiaccess/trusteddocument/add/", {"api_key": key.pk, "name": "", "document": "{ nope }"})
    assert bad.status_code == 200 and "与接口不符".encode() in bad.content
    kunming_admin = Client(HTTP_HOST="kunming.localhost")
    users["kunming_admin"].is_staff = True
    users["kunming_admin"].save(update_fields=["is_staff"])
    kunming_admin.force_login(users["kunming_admin"])
    assert kunming_admin.get("/admin/apiaccess/trusteddocument/").status_code in (302, 403)


def test_the_persisted_query_client_of_the_doc_works_over_http(http_server):  # noqa: F811 - the imported fixture
    text = DOC.read_text(encoding="utf-8")
    section = text[text.index("## Trusted documents and persisted queries"):]
    block = section[section.index("```python\n") + len("```python\n"):section.index("```", section.index("```python\n") + 9)]
    namespace = {"__name__": "liaison_doc_persisted_client"}
    exec(compile(block, "docs/API.md", "exec"), namespace)  # noqa: S102 - our own documentation
    run = namespace["persisted_graphql"]
    endpoint = f"http://kunming.localhost:{http_server}/graphql/"
    query = "query DocClient { categories { code } }"
    data, sent_text = run(endpoint, query)
    assert data["categories"] and sent_text
    data, sent_text = run(endpoint, query)
    assert data["categories"] and not sent_text  # the hash alone now
    with pytest.raises(RuntimeError, match="GRAPHQL_VALIDATION_FAILED"):
        run(endpoint, "query Broken { nope }")
