"""group_reduce, extract, filter and sort on local data, including malformed input."""

import pytest

from server.tools.base import ToolError
from server.tools.handlers.paths import MISSING, parse_path, resolve
from tests.tools.helpers import call

ARTICLES = [
    {"title": "Tides", "section": "science", "words": 900, "author": {"name": "Ana"}, "tags": ["sea", "moon"]},
    {"title": "Budget", "section": "politics", "words": 1200, "author": {"name": "Ben"}, "tags": ["money"]},
    {"title": "Comets", "section": "science", "words": 400, "author": {"name": "Ana"}, "tags": []},
    {"title": "Untitled", "words": None},
]


def test_paths_read_keys_indexes_and_quoted_keys():
    item = {"a": {"b": [10, {"c": "deep"}]}, "og:title": "T", "x.y": 1}
    assert resolve(item, "a.b[0]") == 10
    assert resolve(item, "$.a.b[1].c") == "deep"
    assert resolve(item, "a.b[-1].c") == "deep"
    assert resolve(item, '["x.y"]') == 1
    assert resolve(item, "") is item
    assert resolve(item, "a.b[5]") is MISSING
    assert resolve(item, "a.b.c") is MISSING
    assert parse_path('a["q\\"uote"][2]') == ("a", 'q"uote', 2)


def test_a_malformed_path_is_refused_with_its_position():
    with pytest.raises(ToolError, match=r"invalid path `a\[x\]` at character 2"):
        parse_path("a[x]")


async def test_group_reduce_groups_in_order_of_first_appearance_and_reduces():
    out = await call(
        "group_reduce",
        items=ARTICLES,
        key="section",
        reductions=[
            {"name": "n", "op": "count"},
            {"name": "total", "op": "sum", "path": "words"},
            {"name": "shortest", "op": "min", "path": "words"},
            {"name": "longest", "op": "max", "path": "words"},
            {"name": "first_title", "op": "first", "path": "title"},
            {"name": "authors", "op": "collect", "path": "author.name"},
        ],
    )
    assert out["groups"] == [
        {
            "key": "science",
            "size": 2,
            "values": {
                "n": 2,
                "total": 1300,
                "shortest": 400,
                "longest": 900,
                "first_title": "Tides",
                "authors": ["Ana", "Ana"],
            },
        },
        {
            "key": "politics",
            "size": 1,
            "values": {
                "n": 1,
                "total": 1200,
                "shortest": 1200,
                "longest": 1200,
                "first_title": "Budget",
                "authors": ["Ben"],
            },
        },
        {
            "key": None,
            "size": 1,
            "values": {"n": 1, "total": 0, "shortest": None, "longest": None, "first_title": "Untitled", "authors": []},
        },
    ]


async def test_group_reduce_counts_by_default_and_keeps_true_apart_from_one():
    out = await call("group_reduce", items=[{"k": True}, {"k": 1}, {"k": 1}, {"k": [1]}, {"k": [1]}], key="k")
    assert [(g["key"], g["size"]) for g in out["groups"]] == [(True, 1), (1, 2), ([1], 2)]
    assert out["groups"][1]["values"] == {"count": 2}


async def test_group_reduce_refuses_to_sum_text():
    with pytest.raises(ToolError, match="cannot sum the non-number value"):
        await call(
            "group_reduce", items=ARTICLES, key="section", reductions=[{"name": "s", "op": "sum", "path": "title"}]
        )


async def test_group_reduce_refuses_an_unknown_operation_and_items_that_are_not_objects():
    with pytest.raises(ToolError, match=r"parameter `reductions\[0\].op`"):
        await call(
            "group_reduce", items=ARTICLES, key="section", reductions=[{"name": "m", "op": "median", "path": "words"}]
        )
    with pytest.raises(ToolError, match=r"parameter `items\[0\]`: must be an object, not text"):
        await call("group_reduce", items=["not an object"], key="a")
    with pytest.raises(ToolError, match=r"missing required parameter `key`"):
        await call("group_reduce", items=ARTICLES)


async def test_extract_reads_fields_by_path():
    out = await call(
        "extract", items=ARTICLES[:2], fields={"t": "title", "who": "author.name", "tag": "tags[0]", "none": "nope.x"}
    )
    assert out["items"] == [
        {"t": "Tides", "who": "Ana", "tag": "sea", "none": None},
        {"t": "Budget", "who": "Ben", "tag": "money", "none": None},
    ]


async def test_extract_with_a_regular_expression_uses_named_groups_and_drops_unmatched_items():
    items = [{"line": "Order 42 shipped 2024-05-01"}, {"line": "no order here"}, {"line": "ORDER 7 shipped 2023-01-09"}]
    out = await call(
        "extract",
        items=items,
        pattern=r"order (?P<number>\d+) shipped (?P<year>\d{4})",
        source="line",
        ignore_case=True,
    )
    assert out["items"] == [{"number": "42", "year": "2024"}, {"number": "7", "year": "2023"}]
    kept = await call("extract", items=items, pattern=r"(\d+)", source="line", keep_unmatched=True)
    assert kept["items"] == [
        {"match": "42", "groups": ["42"]},
        {"match": None, "groups": []},
        {"match": "7", "groups": ["7"]},
    ]


async def test_extract_applies_a_pattern_to_plain_strings():
    out = await call("extract", items=["a=1", "b=2", 3], pattern=r"(?P<k>\w)=(?P<v>\d)")
    assert out["items"] == [{"k": "a", "v": "1"}, {"k": "b", "v": "2"}]


async def test_extract_refuses_a_broken_pattern_or_nothing_to_extract():
    with pytest.raises(ToolError, match="invalid regular expression"):
        await call("extract", items=[{"a": "x"}], pattern="(unclosed")
    with pytest.raises(ToolError, match="give `fields`, `pattern`, or both"):
        await call("extract", items=[{"a": "x"}])


async def test_filter_keeps_items_meeting_all_or_any_conditions():
    science_long = await call(
        "filter",
        items=ARTICLES,
        conditions=[{"path": "section", "op": "eq", "value": "science"}, {"path": "words", "op": "gte", "value": 500}],
    )
    assert [a["title"] for a in science_long["items"]] == ["Tides"]
    either = await call(
        "filter",
        items=ARTICLES,
        match="any",
        conditions=[
            {"path": "tags", "op": "contains", "value": "money"},
            {"path": "title", "op": "matches", "value": "^Com"},
        ],
    )
    assert [a["title"] for a in either["items"]] == ["Budget", "Comets"]
    missing = await call("filter", items=ARTICLES, conditions=[{"path": "section", "op": "not_exists"}])
    assert [a["title"] for a in missing["items"]] == ["Untitled"]
    chosen = await call("filter", items=ARTICLES, conditions=[{"path": "author.name", "op": "in", "value": ["Ben"]}])
    assert [a["title"] for a in chosen["items"]] == ["Budget"]


async def test_filter_never_compares_values_of_different_types():
    items = [{"v": "10"}, {"v": 10}, {"v": True}, {"v": 1}]
    out = await call("filter", items=items, conditions=[{"path": "v", "op": "gt", "value": 5}])
    assert out["items"] == [{"v": 10}]
    ones = await call("filter", items=items, conditions=[{"path": "v", "op": "eq", "value": 1}])
    assert ones["items"] == [{"v": 1}]


async def test_filter_refuses_malformed_conditions():
    with pytest.raises(ToolError, match=r"conditions\[0\]: `in` needs a list"):
        await call("filter", items=ARTICLES, conditions=[{"path": "a", "op": "in", "value": "x"}])
    with pytest.raises(ToolError, match=r"conditions\[0\]: `eq` needs a value"):
        await call("filter", items=ARTICLES, conditions=[{"path": "a", "op": "eq"}])
    with pytest.raises(ToolError, match=r"invalid regular expression"):
        await call("filter", items=ARTICLES, conditions=[{"path": "a", "op": "matches", "value": "["}])
    with pytest.raises(ToolError, match=r"parameter `conditions`"):
        await call("filter", items=ARTICLES, conditions=[])


async def test_sort_is_stable_multi_key_with_missing_values_last():
    items = [
        {"n": "b", "score": 2},
        {"n": "a", "score": 3},
        {"n": "c"},
        {"n": "d", "score": 2},
        {"n": "e", "score": None},
    ]
    out = await call("sort", items=items, keys=[{"path": "score", "descending": True}, {"path": "n"}])
    assert [i["n"] for i in out["items"]] == ["a", "b", "d", "c", "e"]
    asc = await call("sort", items=items, keys=[{"path": "score"}])
    assert [i["n"] for i in asc["items"]] == ["b", "d", "a", "c", "e"]


async def test_sort_orders_mixed_types_without_failing():
    out = await call(
        "sort", items=[{"v": "x"}, {"v": 2}, {"v": True}, {"v": {"a": 1}}, {"v": 1.5}], keys=[{"path": "v"}]
    )
    assert [i["v"] for i in out["items"]] == [1.5, 2, "x", True, {"a": 1}]


async def test_data_tools_handle_large_lists_quickly():
    items = [{"k": i % 100, "v": i} for i in range(50_000)]
    out = await call("group_reduce", items=items, key="k", reductions=[{"name": "s", "op": "sum", "path": "v"}])
    assert len(out["groups"]) == 100
    assert sum(g["values"]["s"] for g in out["groups"]) == sum(range(50_000))


async def test_lists_over_the_size_limit_are_refused():
    with pytest.raises(ToolError, match=r"parameter `items`: must have at most 100000 items"):
        await call("filter", items=[{}] * 100_001, conditions=[{"path": "a", "op": "exists"}])
