"""Read side of the call log: filters, search (word index, digit index, row checks), keyset paging."""

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
def corpus_desk(tmp_path_factory, open_desk_copy, db_backend):
    """The corpus on a desk shared by the read-only search tests of this module."""
    shared = open_desk_copy(tmp_path_factory.mktemp("corpus") / "desk.sqlite", "receptionist", backend=db_backend)
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
        ("电梯 门", [0]),  # two words: both in call 0
        ("门 电梯", [0]),  # in any order
        ("电梯 漏水", []),  # each word somewhere, but never both in one call
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
def many_desk(tmp_path_factory, open_desk_copy, db_backend):
    """A desk shared by the read-only paging tests, and its rows' ids in the expected order."""
    shared = open_desk_copy(tmp_path_factory.mktemp("many") / "desk.sqlite", "receptionist", backend=db_backend)
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


# ------------------------------------------- search against brute force ---
#
# A few thousand calls logged through the services, with text made to collide:
# common and rare characters, Chinese and ASCII punctuation, characters outside
# the BMP, digits inside and beside Chinese, letters in either case. Most calls
# are logged in time order, some back-dated (logged later with an earlier time),
# so the index's id order and the list's (at, id) order disagree.

import random  # noqa: E402

from deskapp.core.text import phone_digits_if_phone, unit_code_if_unit  # noqa: E402
from deskapp.services import call_queries  # noqa: E402
from deskapp.services.call_queries import COUNT_CAP, count_for_list, shown_count  # noqa: E402
from deskapp.services.calls import log_calls  # noqa: E402

PIECES = ["水管", "漏水", "反映", "物业费", "电梯", "门", "停电", "，", "。", "、", "B1层", "3栋", "2单元", "1201",
          "WiFi", "wifi", "100%", "8:00-12:00", "𠀀", "𠀁字", "👨‍👩‍👧", "Ää", "a_b", " ", "楼上", "卫生间", "号",
          "12", "0013", "水", "电", "A12", "，物业费"]
NAMES = ["张先生", "李女士", "王", "Smith", "𠀀先生", "", "张", "Wang Li"]
PHONES = ["13800138000", "13912345678", "021-5555 6666", "+8613700000000", "", "", "10086", "138 0013 8001"]
UNITS = ["3-2-1201", "13栋2单元0801", "商铺A12", "", "", "1栋1单元101"]
START = datetime(2026, 6, 1, 0, 0, tzinfo=UTC)
BRUTE_CALLS = 3000


def _text(rng: random.Random, n: int) -> str:
    return "".join(rng.choice(PIECES) for _ in range(rng.randint(0, n))).strip()


def _log_brute(desk, actor) -> None:
    """BRUTE_CALLS calls: most in time order, 5% back-dated by up to two days, and two blocks of
    older calls written in one go (an import), one in the middle and one last of all."""
    rng = random.Random(20261126)

    def draft(at):
        return CallDraft(at=at, caller_name=rng.choice(NAMES), phone=rng.choice(PHONES), unit=rng.choice(UNITS),
                         content=_text(rng, 6) or "咨询", reply=_text(rng, 3),
                         category=rng.choice(("enquiry", "enquiry", "repair", "praise")),
                         channel=rng.choice(("phone", "phone", "visit")))

    drafts = []
    for i in range(BRUTE_CALLS - 1500):
        at = START + timedelta(minutes=i)
        if rng.random() < 0.05:
            at -= timedelta(minutes=rng.randint(1, 3000))
        drafts.append(draft(at))
        if i == 800:
            drafts += [draft(START - timedelta(days=5) + timedelta(minutes=j)) for j in range(300)]
    # more hits of a common word than a first page reads at first: it must read on
    drafts += [draft(START - timedelta(days=10) + timedelta(minutes=j)) for j in range(1200)]
    now = START + timedelta(minutes=BRUTE_CALLS + 10)
    for i in range(0, len(drafts), 500):
        log_calls(desk, actor, drafts[i:i + 500], now=now)


@pytest.fixture(scope="module")
def brute_desk(tmp_path_factory, open_desk_copy, db_backend):
    shared = open_desk_copy(tmp_path_factory.mktemp("brute") / "desk.sqlite", "receptionist", backend=db_backend)
    actor = next(a for a in list_staff(shared) if a.role == "receptionist")
    _log_brute(shared, actor)
    rows = query(shared, "SELECT id, at, phone, unit_code, caller_name, content, reply FROM call")
    yield shared, rows
    shared.engine.dispose()


def _ascii_lower(s: str) -> str:
    return "".join(chr(ord(c) + 32) if "A" <= c <= "Z" else c for c in s)


def _word_holds(row, word: str) -> bool:
    unit = unit_code_if_unit(word)
    if unit:
        return row[3] == unit
    digits = phone_digits_if_phone(word)
    if digits is not None:
        return digits in row[2]
    return any(_ascii_lower(word) in _ascii_lower(col) for col in row[2:])


def brute(rows, q: str) -> list[int]:
    """The search rule read off the README, applied to every row; ids newest first by (at, id)."""
    q = q.strip()
    whole = unit_code_if_unit(q) or phone_digits_if_phone(q)
    words = [q] if whole is not None else q.split()
    hits = [r for r in rows if all(_word_holds(r, w) for w in words)]
    return [r[0] for r in sorted(hits, key=lambda r: (r[1], r[0]), reverse=True)]


def _queries(rows) -> list[str]:
    rng = random.Random(5)
    texts = [col for r in rows[:400] for col in r[2:] if col]
    qs = []
    for n in (1, 1, 2, 2, 3, 4):
        for _ in range(12):
            t = rng.choice(texts)
            i = rng.randrange(len(t))
            qs.append(t[i:i + n])
    for _ in range(30):  # two and three words, from any columns, in any order
        picked = []
        for _ in range(rng.choice((2, 3))):
            t = rng.choice(texts)
            i = rng.randrange(len(t))
            picked.append(t[i:i + rng.randint(1, 3)])
        qs.append(" ".join(picked))
    qs += ["龘", "鑫淼", "zz", "𠀂", "𠀀", "𠀁字", "𠀀 水", "👩", "3栋", "水3", "12号", "A1", "a1", "12", "2", "0",
           "0013", "5555", "001", "+86", "8:00", ":00-", "100%", "%", "反映，物业费", "映，物", "映物", "，物",
           "物业费 反映", "漏水 水管", "水管 漏水 楼上", "楼上 漏水 水管", "wifi", "WIFI", "ä", "Ä", "a_b", "_",
           "3-2-1201", "3栋 2单元 1201室", "3-2-1201 漏水", "138 0013 8000", "138 0013", "1 2", "+86 137",
           "商铺A12", "张 李", "Wang Li", "Wang", "卫生间 𠀀", "水 00", "B1层 3栋", "。。", "，，"]
    return [q for q in qs if q.strip()]


class TestSearchAgainstBruteForce:
    def test_every_query_finds_exactly_the_brute_force_rows_in_list_order(self, brute_desk):
        desk, rows = brute_desk
        queries = _queries(rows)
        assert len(queries) > 150
        kinds = {"hits": 0, "none": 0, "many": 0}
        for q in queries:
            want = brute(rows, q)
            f = CallFilter(search=q)
            assert ids(fetch_calls(desk, f, limit=BRUTE_CALLS)) == want, q
            assert count_calls(desk, f) == len(want), q
            assert count_calls(desk, f, cap=50) == min(len(want), 51), q
            kinds["hits" if want else "none"] += 1
            kinds["many"] += len(want) > call_queries.ALL_HITS
        assert kinds["none"] >= 8 and kinds["hits"] >= 100 and kinds["many"] >= 3

    @pytest.mark.parametrize("all_hits", [None, 10])  # 10: the index-driven page for nearly every search
    @pytest.mark.parametrize("q", ["水", "电", "，", "漏水", "门 水", "12", "3栋", "0013", "wifi", "商铺A12"])
    def test_pages_and_windows_follow_the_brute_force_order(self, brute_desk, q, all_hits, monkeypatch):
        desk, rows = brute_desk
        if all_hits is not None:
            monkeypatch.setattr(call_queries, "ALL_HITS", all_hits)
        want = brute(rows, q)
        f = CallFilter(search=q)
        seen, page = [], fetch_calls(desk, f, limit=97)
        while page:
            seen += ids(page)
            page = fetch_calls(desk, f, after=page[-1].key, limit=97)
        assert seen == want
        total = len(want)
        for start in (0, 1, total // 3, total // 2, max(0, total - 40), max(0, total - 1)):
            assert ids(fetch_window(desk, f, start, total, limit=40)) == want[start:start + 40], start

    @pytest.mark.parametrize("q", ["水", "，", "门 水", "3栋"])
    def test_search_with_a_filter_and_its_order(self, brute_desk, q):
        desk, rows = brute_desk
        day = date(2026, 6, 2)  # local dates (Asia/Shanghai)
        f = CallFilter(search=q, start=day, end=day)
        got = ids(everything(desk, f))
        in_day = set(ids(everything(desk, CallFilter(start=day, end=day))))
        assert 500 < len(in_day) < len(rows)
        assert got == [i for i in brute(rows, q) if i in in_day] and got
        assert count_calls(desk, f) == len(got) and count_calls(desk, f, cap=3) == min(len(got), 4)

    @pytest.mark.parametrize("all_hits", [None, 10])
    @pytest.mark.parametrize("q, category, channel", [("水", "praise", None), ("，", "repair", "visit"),
                                                      ("门 水", None, "visit"), ("3栋", "praise", None),
                                                      ("0013", "repair", None), ("12", "praise", "phone")])
    def test_search_with_a_category_or_channel(self, brute_desk, q, category, channel, all_hits, monkeypatch):
        desk, rows = brute_desk
        if all_hits is not None:
            monkeypatch.setattr(call_queries, "ALL_HITS", all_hits)
        kept = {i for i, cat, ch in query(desk, "SELECT id, category, channel FROM call")
                if category in (None, cat) and channel in (None, ch)}
        want = [i for i in brute(rows, q) if i in kept]
        f = CallFilter(search=q, category=category, channel=channel)
        assert 20 < len(want) and ids(everything(desk, f)) == want
        assert ids(fetch_calls(desk, f, limit=30)) == want[:30]
        assert ids(fetch_calls(desk, f, offset=25, limit=30)) == want[25:55]
        first = fetch_calls(desk, f, limit=7)
        assert ids(fetch_calls(desk, f, after=first[-1].key, limit=9)) == want[7:16]
        assert count_calls(desk, f) == len(want) and count_calls(desk, f, cap=5) == 6

    def test_the_driven_page_falls_back_when_back_dated_calls_make_it_dig_deep(self, brute_desk, monkeypatch):
        """A tiny FALLBACK_HITS makes every common search give up on the index order: same rows, same order."""
        desk, rows = brute_desk
        monkeypatch.setattr(call_queries, "FALLBACK_HITS", 150)
        monkeypatch.setattr(call_queries, "ALL_HITS", 10)
        for q in ("水", "门 水", "，", "0013", "3栋"):
            assert ids(fetch_calls(desk, CallFilter(search=q), limit=120)) == brute(rows, q)[:120], q
            assert ids(fetch_calls(desk, CallFilter(search=q), offset=300, limit=50)) == brute(rows, q)[300:350], q


class TestBackDated:
    def test_a_back_dated_call_takes_its_place_by_time_not_by_when_it_was_written(self, desk, receptionist,
                                                                               monkeypatch):
        monkeypatch.setattr(call_queries, "ALL_HITS", 1)  # the index-driven page even for a handful of hits
        base = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)
        made = {}
        for label, minutes in (("a", 0), ("b", 60), ("c", 120), ("d", 180), ("e", 240)):
            made[label] = log(desk, receptionist, at=base + timedelta(minutes=minutes), content=f"水管漏水{label}").id
        # written last, happened first: newest id, oldest time
        made["late"] = log(desk, receptionist, at=base - timedelta(days=3), content="水管漏水补记").id
        # and one written last that happened in the middle
        made["mid"] = log(desk, receptionist, at=base + timedelta(minutes=150), content="水管漏水补记2").id
        order = ["e", "d", "mid", "c", "b", "a", "late"]
        assert ids(everything(desk, CallFilter(search="漏水"))) == [made[k] for k in order]
        assert ids(fetch_calls(desk, CallFilter(search="水管 漏水"), limit=3)) == [made[k] for k in order[:3]]
        first = fetch_calls(desk, CallFilter(search="漏水"), limit=2)
        assert ids(fetch_calls(desk, CallFilter(search="漏水"), after=first[-1].key, limit=3)) == \
            [made[k] for k in order[2:5]]
        assert ids(fetch_calls(desk, CallFilter(search="漏水"), offset=5, limit=5)) == [made[k] for k in order[5:]]
        # the list without a search agrees
        assert [i for i in ids(everything(desk)) if i in made.values()] == [made[k] for k in order]


class TestCappedCount:
    def test_a_search_count_stops_past_the_cap_and_reads_10000_plus(self, brute_desk, monkeypatch):
        desk, rows = brute_desk
        assert COUNT_CAP == 10_000
        s, everything_ = CallFilter(search="水"), CallFilter()
        assert shown_count(s, 10_001) == "10,000+" and shown_count(s, 10_000) == "10,000"
        assert shown_count(s, 0) == "0" and shown_count(s, 1234) == "1,234"
        assert shown_count(everything_, 1_000_000) == "1,000,000"  # the whole log's count is exact
        monkeypatch.setattr(call_queries, "COUNT_CAP", 100)
        assert count_for_list(desk, CallFilter(search="水")) == 101
        assert count_for_list(desk, CallFilter(search="龘")) == 0
        assert count_for_list(desk, CallFilter()) == len(rows)  # the whole log is counted: its list reaches the end

    def test_a_capped_list_is_read_from_the_newest_end(self, brute_desk, monkeypatch):
        desk, rows = brute_desk
        monkeypatch.setattr(call_queries, "COUNT_CAP", 100)
        f = CallFilter(search="水")
        want = brute(rows, "水")
        total = count_for_list(desk, f)
        assert total == 101 < len(want)
        # the list's last rows are rows 91-100 of the real order, not the oldest matches
        assert ids(fetch_window(desk, f, 91, total, limit=20)) == want[91:101]
