"""The Chinese text handling both backends share (no database needed)."""
from __future__ import annotations

from liaison.search.text import highlight, normalize, parse_query, tokens, tsquery_literal, tsvector_literal


def test_normalisation_folds_width_case_and_traditional_characters():
    assert normalize("Ｇ２１３國道，請儘快") == "g213国道,请尽快"
    assert normalize("沈默") == "沉默"  # a phrase conversion made of non-traditional characters
    plain = "群众反映长水村路灯不亮"
    assert normalize(plain) == plain


def test_cjk_unigrams_and_bigrams_words_for_the_rest_punctuation_breaks_runs():
    toks = [(t.text, t.position) for t in tokens("安装路灯，G213国道")]
    assert toks == [("安", 0), ("安装", 0), ("装", 1), ("装路", 1), ("路", 2), ("路灯", 2), ("灯", 3),
                    ("g213", 4), ("国", 5), ("国道", 5), ("道", 6)]  # no 灯g / 灯国 bigram across the comma


def test_query_terms_become_phrases_of_bigrams():
    assert tsquery_literal(parse_query("路")) == "('路')"
    assert tsquery_literal(parse_query("路灯")) == "('路灯')"
    assert tsquery_literal(parse_query("安装路灯")) == "('安装' <-> '装路' <-> '路灯')"
    assert tsquery_literal(parse_query("G213国道")) == "('g213' <-> '国道')"
    assert tsquery_literal(parse_query('安装 "路 灯" -路口')) == "('安装') & ('路' <-> '灯') & !('路口')"
    assert tsquery_literal(parse_query("  ，。 ")) is None


def test_document_vector_weights_fields_and_keeps_phrases_inside_one_field():
    vector = tsvector_literal([("路", "A"), ("灯", "C")])
    assert vector.startswith("'路':1A '灯':")
    position_of_lamp = int(vector.split("'灯':")[1].rstrip("C"))
    assert position_of_lamp - 1 > 1  # a gap: "路" <-> "灯" cannot match across title and content


def test_highlight_marks_original_text_escapes_html_and_cuts_a_window():
    assert highlight("請儘快安裝路燈<b>", ["安装路灯"]) == "請儘快<em>安裝路燈</em>&lt;b&gt;"
    long = "前" * 100 + "路灯" + "后" * 100
    out = highlight(long, ["路灯"], size=40)
    assert out.startswith("…") and out.endswith("…") and "<em>路灯</em>" in out and len(out) < 60
    assert highlight("没有匹配", ["路灯"]) is None


def test_personal_data_in_free_text_is_masked_before_indexing():
    from liaison.platform.accounts.masking import scrub_text as scrub

    text = "欧阳娜娜反映：电话13912345678，身份证530102199001011234，欧阳娜娜家门口路灯不亮"
    out = scrub(text, names=["欧阳娜娜"], phones=["13912345678"])
    assert "欧阳娜娜" not in out and "欧***反映" in out
    assert "139****5678" in out and "530102********1234" in out
    assert scrub("请联系15887654321", names=[""], phones=[""]) == "请联系158****4321"  # any mobile number
    assert scrub("G213国道 2019年 12345 路段") == "G213国道 2019年 12345 路段"
