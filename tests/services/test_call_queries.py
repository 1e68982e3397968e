"""Read side of the call log: filters, search (FTS5 trigram + the short-query path), keyset paging."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from deskapp.errors import InputError
from deskapp.services.call_queries import (
    CallFilter,
    count_calls,
    fetch_calls,
    fetch_calls_from_oldest,
    fetch_window,
)
from deskapp.services.calls import CallDraft, log_call
from deskapp.services.staff import list_staff
from tests.services.dbstate import query

UTC = timezone.utc
SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 30, 4, 0, tzinfo=UTC)


def log(desk, actor, *, at, **kw):
    base = dict(channel="phone", category="enquiry", content="咨询")
    base.update(kw)
    return log_call(desk, actor, CallDraft(at=at, **base), now=NOW)


def ids(rows) -> list[int]:
    return [r.id for r in rows]


def everything(desk, f: CallFilter = CallFilter()) -> list:
    return fetch_calls(desk, f, limit=10_000)


# ------------------------------------------------------------- filters ---


class TestDateFilter:
    @pytest.fixture
    def around_midnight(self, desk, receptionist):
        """Calls just either side of local midnight in Asia/Shanghai (UTC+8)."""
        instants = {
            "23-late": datetime(2026, 11, 23, 15, 59, 59, 999999, tzinfo=UTC),  # 11-23 23:59:59.999999 local
            "24-start": datetime(2026, 11, 23, 16, 0, tzinfo=UTC),  # 11-24 00:00 local
            "24-noon-utc": datetime(2026, 11, 24, 12, 0, tzinfo=UTC),  # 11-24 20:00 local
            "24-late": datetime(2026, 11, 24, 15, 59, 59, tzinfo=UTC),  # 11-24 23:59:59 local
            "25-start": datetime(2026, 11, 24, 16, 0, tzinfo=UTC),  # 11-25 00:00 local
        }
        return {k: log(desk, receptionist, at=at, content=k).id for k, at in instants.items()}

    @pytest.mark.parametrize("start, end, expected", [
        (date(2026, 11, 24), date(2026, 11, 24), ["24-start", "24-noon-utc", "24-late"]),
        (date(2026, 11, 24), None, ["24-start", "24-noon-utc", "24-late", "25-start"]),
        (None, date(2026, 11, 23), ["23-late"]),
        (date(2026, 11, 25), date(2026, 11, 25), ["25-start"]),
        (date(2026, 11, 23), date(2026, 11, 25), ["23-late", "24-start", "24-noon-utc", "24-late", "25-start"]),
        (date(2026, 11, 26), None, []),
    ])
    def test_local_day_boundaries(self, desk, around_midnight, start, end, expected):
        f = CallFilter(start=start, end=end)
        got = set(ids(everything(desk, f)))
        assert got == {around_midnight[k] for k in expected}
        assert count_calls(desk, f) == len(expected)

    def test_start_after_end_is_refused(self, desk, around_midnight):
        f = CallFilter(start=date(2026, 11, 25), end=date(2026, 11, 24))
        with pytest.raises(InputError) as exc:
            fetch_calls(desk, f)
        assert str(exc.value) == "开始日期不能晚于结束日期"
        with pytest.raises(InputError):
            count_calls(desk, f)


class TestCategoryAndChannel:
    @pytest.fixture
    def mixed(self, desk, receptionist):
        at = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)
        made = []
        for i, (channel, category) in enumerate([("phone", "repair"), ("visit", "repair"), ("phone", "complaint"),
                                                 ("letter", "enquiry"), ("phone", "enquiry"), ("other", "praise")]):
            made.append((log(desk, receptionist, at=at + timedelta(minutes=i), channel=channel,
                             category=category).id, channel, category))
        return made

    @pytest.mark.parametrize("f", [
        CallFilter(category="repair"),
        CallFilter(category="enquiry"),
        CallFilter(category="suggestion"),
        CallFilter(channel="phone"),
        CallFilter(channel="visit"),
        CallFilter(channel="phone", category="repair"),
        CallFilter(channel="letter", category="repair"),
    ])
    def test_filters(self, desk, mixed, f):
        expected = {i for i, ch, cat in mixed
                    if (f.channel is None or ch == f.channel) and (f.category is None or cat == f.category)}
        assert set(ids(everything(desk, f))) == expected
        assert count_calls(desk, f) == len(expected)

    def test_no_filter_returns_everything_with_owner_name(self, desk, mixed, receptionist):
        rows = everything(desk)
        assert len(rows) == len(mixed) == count_calls(desk)
        assert {r.owner for r in rows} == {receptionist.name}


# -------------------------------------------------------------- search ---

CORPUS = [
    dict(caller_name="张先生", phone="13800138000", unit="3-2-1201", content="电梯门关不上，有人被困",
         reply="已通知维保单位"),
    dict(caller_name="李女士", phone="13912345678", unit="5-1-302", content="楼上漏水", reply="马上派工"),
    dict(caller_name="王先生", phone="021-5555 6666", unit="12-3-0801",
         content='咨询物业费 100% 缴纳 AND 说明 "加急" a_b NEAR(x y) col:val', reply=""),
    dict(caller_name="赵", phone="", unit="", content="停水了", reply="Hello World"),
    dict(caller_name="Smith", phone="+8613700000000", unit="商铺A12", content="Parking *card* lost", reply="好的"),
]


def _log_corpus(desk, actor) -> list[int]:
    start = datetime(2026, 11, 1, 1, 0, tzinfo=UTC)
    return [log(desk, actor, at=start + timedelta(hours=i), **kw).id for i, kw in enumerate(CORPUS)]


@pytest.fixture
def corpus(desk, receptionist):
    """The corpus on the test's own desk (for tests that add rows)."""
    return _log_corpus(desk, receptionist)


@pytest.fixture(scope="module")
def corpus_desk(tmp_path_factory, open_desk_copy):
    """The corpus on a desk shared by the read-only search tests of this module."""
    shared = open_desk_copy(tmp_path_factory.mktemp("corpus") / "desk.sqlite", "receptionist")
    actor = next(a for a in list_staff(shared) if a.role == "receptionist")
    yield shared, _log_corpus(shared, actor)
    shared.engine.dispose()


def oracle(desk, q: str) -> set[int]:
    """Rows holding q (ASCII case-insensitively) in any searched column, read straight from the file."""
    rows = query(desk, "SELECT id, phone, unit_code, caller_name, content, reply FROM call")
    return {r[0] for r in rows if any(q.lower() in (col or "").lower() for col in r[1:])}


class TestSearch:
    @pytest.mark.parametrize("q, expected", [
        ("13800138000", [0]),  # full phone
        ("1380", [0]),  # phone fragment (FTS path)
        ("00", [0, 2, 4]),  # 2-digit fragment (short path), also in "100%"
        ("5555", [2]),
        ("3-2-1201", [0]),  # unit as typed with dashes
        ("3栋2单元1201室", [0]),
        ("3栋2单元1201", [0]),
        ("商铺A12", [4]),
        ("水", [1, 3]),  # 1 Chinese character: SQLite 3.40 trigram LIKE bug must not hide rows
        ("漏水", [1]),  # 2 Chinese characters
        ("停水", [3]),
        ("赵", [3]),  # a 1-character name
        ("张先", [0]),
        ("电梯门", [0]),  # 3 characters: FTS trigram
        ("关不上", [0]),
        ("维保单位", [0]),  # found in the reply
        ("有人被困", [0]),
        ("hello", [3]),  # case-insensitive ASCII
        ("WORLD", [3]),
        ("smith", [4]),
        ("电梯 门", []),
        ("不存在的内容", []),
    ])
    def test_finds_exactly(self, corpus_desk, q, expected):
        desk, corpus = corpus_desk
        f = CallFilter(search=q)
        want = {corpus[i] for i in expected}
        assert set(ids(everything(desk, f))) == want
        assert count_calls(desk, f) == len(want)

    @pytest.mark.parametrize("q", [
        '"', '""', '"加急"', '加急"', 'AND', 'and', 'OR', 'NOT', '*', '**', '***', 'a*b', '*card*', 'card*',
        'NEAR(x y)', 'NEAR(', 'col:val', 'content:漏水', '(', ')', '^', '-', '100%', '%', '_', 'a_b', "'", "''",
        '\\', 'a\\b', "漏水' OR 1=1 --",
    ])
    def test_query_syntax_is_just_text(self, corpus_desk, q):
        """FTS operators, LIKE wildcards and quotes are searched for literally, never crash."""
        desk, corpus = corpus_desk
        f = CallFilter(search=q)
        got = set(ids(everything(desk, f)))
        assert got == oracle(desk, q.strip())
        assert count_calls(desk, f) == len(got)

    def test_wildcards_do_not_match_everything(self, corpus_desk):
        desk, corpus = corpus_desk
        assert set(ids(everything(desk, CallFilter(search="%")))) == {corpus[2]}
        assert set(ids(everything(desk, CallFilter(search="_")))) == {corpus[2]}
        assert set(ids(everything(desk, CallFilter(search="*")))) == {corpus[4]}

    def test_search_combines_with_other_filters(self, desk, corpus, receptionist):
        log(desk, receptionist, at=datetime(2026, 11, 20, 1, 0, tzinfo=UTC), category="repair", content="又漏水了")
        f = CallFilter(search="漏水", category="repair")
        assert [r.content for r in everything(desk, f)] == ["又漏水了"]
        assert count_calls(desk, CallFilter(search="漏水")) == 2
        assert count_calls(desk, CallFilter(search="漏水", end=date(2026, 10, 31))) == 0

    def test_whitespace_only_search_is_no_search(self, corpus_desk):
        desk, corpus = corpus_desk
        assert count_calls(desk, CallFilter(search="   ")) == len(corpus)

    @pytest.mark.parametrize("q", ["关不上，有人", "门关不上，", "，"])
    def test_chinese_punctuation_in_the_query(self, corpus_desk, q):
        desk, corpus = corpus_desk
        assert corpus[0] in set(ids(everything(desk, CallFilter(search=q))))

    @pytest.mark.parametrize("q", ["138 0013 8000", "138-0013-8000"])
    def test_phone_typed_in_groups(self, corpus_desk, q):
        desk, corpus = corpus_desk
        assert set(ids(everything(desk, CallFilter(search=q)))) == {corpus[0]}

    def test_new_calls_are_searchable_at_once(self, desk, corpus, receptionist):
        assert count_calls(desk, CallFilter(search="燃气泄漏")) == 0
        log(desk, receptionist, at=datetime(2026, 11, 29, 1, 0, tzinfo=UTC), content="厨房燃气泄漏味道")
        assert count_calls(desk, CallFilter(search="燃气泄漏")) == 1
        assert count_calls(desk, CallFilter(search="燃气")) == 1


# -------------------------------------------------------------- paging ---


@pytest.fixture(scope="module")
def many_desk(tmp_path_factory, open_desk_copy):
    """A desk shared by the read-only paging tests, and its rows' ids in the expected order."""
    shared = open_desk_copy(tmp_path_factory.mktemp("many") / "desk.sqlite", "receptionist")
    actor = next(a for a in list_staff(shared) if a.role == "receptionist")
    yield shared, _log_many(shared, actor)
    shared.engine.dispose()


@pytest.fixture
def desk_many(many_desk):
    return many_desk[0]


@pytest.fixture
def many(many_desk):
    return many_desk[1]


def _log_many(desk, receptionist):
    """37 calls in 9 clusters sharing the same instant, logged out of time order."""
    base = datetime(2026, 11, 20, 0, 0, tzinfo=UTC)
    order = [5, 1, 7, 3, 0, 8, 2, 6, 4]  # cluster logged in this order, several times over
    made = []
    for rnd in range(5):
        for cluster in order:
            if len(made) == 37:
                break
            at = base + timedelta(hours=cluster)
            made.append(log(desk, receptionist, at=at, category="repair" if cluster % 2 else "enquiry",
                            content=f"第{cluster}组-{rnd}").id)
    rows = query(desk, "SELECT id, at FROM call")
    expected = [i for i, _ in sorted(rows, key=lambda r: (r[1], r[0]), reverse=True)]
    return expected


class TestKeysetPaging:
    @pytest.mark.parametrize("page", [1, 4, 5, 10, 37, 100])
    def test_every_row_once_in_order(self, desk_many, many, page):
        seen = []
        batch = fetch_calls(desk_many, limit=page)
        while batch:
            assert len(batch) <= page
            seen.extend(batch)
            batch = fetch_calls(desk_many, after=batch[-1].key, limit=page)
        assert ids(seen) == many
        assert len(set(ids(seen))) == len(many) == 37

    def test_ordering_is_at_desc_then_id_desc(self, desk_many, many):
        rows = everything(desk_many)
        assert ids(rows) == many
        for a, b in zip(rows, rows[1:]):
            assert (a.at, a.id) > (b.at, b.id)
        assert all(r.at.tzinfo is not None and r.at.utcoffset() == timedelta(0) for r in rows)

    def test_paging_with_a_filter(self, desk_many, many):
        f = CallFilter(category="repair")
        full = everything(desk_many, f)
        seen, batch = [], fetch_calls(desk_many, f, limit=3)
        while batch:
            seen.extend(batch)
            batch = fetch_calls(desk_many, f, after=batch[-1].key, limit=3)
        assert ids(seen) == ids(full)
        assert full and all(r.category == "repair" for r in full)

    def test_key_after_the_last_row_gives_nothing(self, desk_many, many):
        last = everything(desk_many)[-1]
        assert fetch_calls(desk_many, after=last.key) == []

    def test_key_in_another_zone_means_the_same_instant(self, desk_many, many):
        rows = everything(desk_many)
        at, row_id = rows[9].key
        local_key = (at.astimezone(SH), row_id)
        assert ids(fetch_calls(desk_many, after=local_key, limit=1000)) == ids(rows[10:])


class TestWindow:
    @pytest.mark.parametrize("limit", [1, 6, 20])
    def test_window_from_either_end_matches_full_order(self, desk_many, many, limit):
        total = count_calls(desk_many)
        for start in range(total):
            window = fetch_window(desk_many, CallFilter(), start, total, limit=limit)
            assert ids(window) == many[start:start + limit], f"start={start}"

    def test_window_start_past_the_end_is_clamped(self, desk_many, many):
        total = len(many)
        assert ids(fetch_window(desk_many, CallFilter(), total + 50, total, limit=5)) == many[-1:]

    def test_window_of_an_empty_list(self, desk):
        assert count_calls(desk) == 0
        assert fetch_window(desk, CallFilter(), 0, 0) == []
        assert fetch_window(desk, CallFilter(), 5, 0) == []

    def test_from_oldest(self, desk_many, many):
        assert ids(fetch_calls_from_oldest(desk_many, limit=5)) == many[-5:]
        assert ids(fetch_calls_from_oldest(desk_many, offset=5, limit=5)) == many[-10:-5]

    def test_window_with_search_filter(self, desk_many, many):
        f = CallFilter(search="第3组")
        full = everything(desk_many, f)
        total = count_calls(desk_many, f)
        assert total == len(full) > 0
        for start in range(total):
            assert ids(fetch_window(desk_many, f, start, total, limit=2)) == ids(full[start:start + 2])
