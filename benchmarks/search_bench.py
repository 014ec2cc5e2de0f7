"""Search latency on generated Chinese opinions: 1-, 2-, 3- and 4-character queries,
within one prefecture and province-wide (16 prefectures), p50/p95.

    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/liaison_search
    liaison migrate_schemas
    .venv/bin/python benchmarks/search_bench.py [--per-prefecture 300] [--repeat 5] [--keep|--reuse]

Documents are generated straight into the configured backend (PostgreSQL by default;
Elasticsearch when ELASTICSEARCH_URL is set, under the index prefix `liaison-bench`)
for 16 pseudo-prefectures named `bench_<slug>`, so no tenant schema is touched. Every
search is the full backend search the GraphQL field runs: ranking, 20 hits with
highlighted snippets, total count and the category/status/prefecture facets.
The bench documents are deleted at the end unless --keep.
"""
from __future__ import annotations

import argparse
import os
import random
import statistics
import time
from datetime import datetime, timedelta, timezone as dt_tz

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "liaison.platform.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import transaction  # noqa: E402

from liaison.search.backends import backend_from_settings  # noqa: E402
from liaison.search.text import parse_query  # noqa: E402
from liaison.search.types import FACETS, SearchFilters, SearchRequest  # noqa: E402
from liaison.tenants.registry import yunnan  # noqa: E402

TOPICS = [
    ("路灯", ["不亮", "损坏", "太少", "需要安装"], "urban_rural", "安装路灯"),
    ("道路", ["坑洼", "破损", "积水", "需要硬化"], "transport", "修缮道路"),
    ("饮水", ["困难", "水质差", "管道老化", "经常停水"], "agriculture", "解决饮水"),
    ("农田灌溉", ["用水紧张", "水渠失修", "设施老化"], "agriculture", "修缮水渠"),
    ("垃圾清运", ["不及时", "点位太少", "臭味扰民"], "environment", "增加垃圾清运"),
    ("停车场", ["车位不足", "收费混乱", "占道停车"], "urban_rural", "规划停车场"),
    ("养老院", ["床位紧张", "服务不足", "设施陈旧"], "law_social_security", "扩建养老院"),
    ("卫生院", ["医生太少", "药品短缺", "看病难"], "education_culture_health", "加强卫生院"),
    ("医保", ["报销难", "异地结算慢", "缴费不便"], "law_social_security", "简化医保报销"),
    ("网络信号", ["很差", "覆盖不到", "经常中断"], "economy", "改善网络信号"),
    ("公交", ["班次太少", "线路不合理", "站台破旧"], "transport", "增开公交"),
    ("学校", ["校舍老旧", "师资不足", "上学路远"], "education_culture_health", "改善学校"),
    ("噪音", ["扰民", "夜间施工", "广场舞太吵"], "environment", "治理噪音"),
    ("电网", ["电压不稳", "经常停电", "线路老化"], "economy", "改造电网"),
    ("集贸市场", ["脏乱差", "摊位不足", "占道经营"], "urban_rural", "整治集贸市场"),
]
FILLERS = [
    "群众反映强烈，希望有关部门尽快研究解决。", "这个问题已经存在多年，多次反映未果。", "雨季来临，问题更加突出。",
    "附近居民有三百多户，出行和生活受到很大影响。", "建议列入明年的民生实事项目。", "老人和孩子尤其不便。",
    "代表在接待日走访时了解到这一情况。", "村民小组长也向代表反映过同样的问题。", "请相关部门实地查看并给予答复。",
    "此前曾经维修过一次，但效果不明显。", "G213国道沿线的村组问题更为突出。", "希望能够统筹资金，分步实施。",
]
PLACE = "安宁和平兴隆永胜长乐新民团结光明红星金沙清水石桥龙泉凤鸣松林梅园竹园茶山白塔高原彩云春城"
STATUSES = ["registered", "triaged", "referred", "replied", "closed"]
CHANNELS = ["reception", "deputy", "observer", "box", "online"]
TIERS = ["station", "office", "office", "home", "online"]
QUERIES = {
    1: ["路", "水", "电", "校"],
    2: ["路灯", "饮水", "医保", "垃圾"],
    3: ["停车场", "养老院", "卫生院", "集贸市"],
    4: ["安装路灯", "农田灌溉", "垃圾清运", "网络信号"],
}
BASE = datetime(2019, 1, 1, tzinfo=dt_tz.utc)


def make_doc(rng: random.Random, schema: str, pk: int) -> dict:
    subject, problems, category, request = rng.choice(TOPICS)
    village = "".join(rng.sample(PLACE, 2)) + rng.choice("村村村社区")
    problem = rng.choice(problems)
    content = f"{village}{subject}{problem}。" + "".join(rng.sample(FILLERS, rng.randint(2, 4))) + f"建议{request}。"
    status = rng.choice(STATUSES)
    county = f"{pk % 9:02d}"
    return {
        "doc_id": f"{schema}:{pk}", "schema_name": schema, "opinion_id": pk,
        "title": f"关于{village}{subject}{problem}的意见", "content": content,
        "reply_text": "经核实，已列入计划，将于年内解决。" if status in ("replied", "closed") else "",
        "category_code": category, "category_name": category, "status": status,
        "awaiting_reply": status == "referred", "channel": rng.choice(CHANNELS), "tier": rng.choice(TIERS),
        "position_id": pk % 200 + 1, "position_name": f"{village}代表联络室", "division_id": pk % 500 + 1,
        "division_code": f"5301{county}001", "division_name": village,
        "division_codes": ["530100", f"5301{county}", f"5301{county}001"], "division_names": f"某某县 某某镇 {village}",
        "registered_at": BASE + timedelta(minutes=rng.randint(0, 60 * 24 * 365 * 6)),
        "due_on": (BASE + timedelta(days=rng.randint(0, 365 * 6))).date() if status == "referred" else None,
    }


def generate(backend, schemas: list[str], per_prefecture: int, seed: int) -> float:
    rng = random.Random(seed)
    started = time.perf_counter()
    for schema in schemas:
        docs = [make_doc(rng, schema, pk) for pk in range(1, per_prefecture + 1)]
        with transaction.atomic():
            for i in range(0, len(docs), 1000):
                backend.index(docs[i:i + 1000])
    if backend.name == "postgres":
        backend.tidy()  # what `liaison search reindex` does after its bulk write
    else:
        backend.refresh_all()
    return time.perf_counter() - started


def run_query(backend, query: str, schemas: list[str]) -> tuple[float, int]:
    request = SearchRequest(query=parse_query(query), schemas=tuple(schemas), filters=SearchFilters(), facets=FACETS,
                            sort="relevance", after=None, first=20, now=datetime.now(dt_tz.utc))
    t = time.perf_counter()
    result = backend.search(request)
    return (time.perf_counter() - t) * 1000, result.total


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    k = max(0, min(len(values) - 1, round(p / 100 * (len(values) - 1))))
    return values[k]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--per-prefecture", type=int, default=300, help="documents per prefecture (16 prefectures)")
    parser.add_argument("--repeat", type=int, default=5, help="runs of every query (after one warm-up)")
    parser.add_argument("--seed", type=int, default=2019)
    parser.add_argument("--keep", action="store_true", help="keep the bench documents afterwards")
    parser.add_argument("--reuse", action="store_true", help="search documents left by an earlier --keep run")
    args = parser.parse_args()

    backend = backend_from_settings()
    if backend.name == "elasticsearch":
        from liaison.search.backends.elastic import ElasticsearchBackend

        backend = ElasticsearchBackend(settings.ELASTICSEARCH_URL, prefix="liaison-bench", ik=settings.ELASTICSEARCH_IK)
    schemas = [f"bench_{p.slug}" for p in yunnan.prefectures()]
    total_docs = args.per_prefecture * len(schemas)
    print(f"backend: {backend.name}; {len(schemas)} prefectures × {args.per_prefecture} = {total_docs} documents")
    if not args.reuse:
        for schema in schemas:
            backend.delete_schema(schema)
        if hasattr(backend, "vacuum"):
            backend.vacuum()  # dead rows of an earlier run would be scanned by every search
        seconds = generate(backend, schemas, args.per_prefecture, args.seed)
        print(f"indexed {total_docs} documents in {seconds:.1f}s ({total_docs / seconds:.0f} docs/s, text analysis included)")
    try:
        print(f"{'scope':<14} {'chars':>5} {'p50 ms':>8} {'p95 ms':>8} {'avg matches':>12}")
        for scope, scope_schemas in (("one prefecture", schemas[:1]), ("province-wide", schemas)):
            for length, queries in QUERIES.items():
                times, matches = [], []
                for q in queries:
                    run_query(backend, q, scope_schemas)  # warm-up
                    for _ in range(args.repeat):
                        ms, n = run_query(backend, q, scope_schemas)
                        times.append(ms)
                        matches.append(n)
                print(f"{scope:<14} {length:>5} {statistics.median(times):>8.1f} {pct(times, 95):>8.1f} "
                      f"{statistics.mean(matches):>12.0f}")
    finally:
        if not args.keep:
            for schema in schemas:
                backend.delete_schema(schema)
            if hasattr(backend, "vacuum"):
                backend.vacuum()


if __name__ == "__main__":
    main()
