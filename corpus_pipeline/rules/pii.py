"""PII masking for Chinese text: personal identifiers are replaced by typed placeholders; nothing is removed.

:func:`mask_pii` ``(text, config) -> (new_text, counts_by_type)``; :func:`find_pii` gives the spans. Types and
placeholders (the default ``PiiConfig.placeholder`` is ``"<PII:{type}>"``), in the order that settles overlaps:

``EMAIL`` ``<PII:EMAIL>``
    ``local@domain.tld`` (also ``name @ 163.com``), and the obfuscations ``name#163.com``, ``name(at)163.com``,
    ``[at]``, ``{at}`` when the domain ends in com/net/org/cn/edu/gov. A capitalised word glued to the domain
    (``edu.cnFrom``) is left out. ``12345678@qq.com`` is one ``EMAIL``.
``ID`` ``<PII:ID>``
    resident ID numbers: 18 characters (the last may be ``X``/``x``), contiguous or grouped 6-8-4 by single
    spaces, with a correct GB 11643 (ISO 7064 MOD 11-2) check character, a calendar-valid birth date in
    1900-2099 and a province prefix listed in ``rules/pii/province_codes.txt`` (GB/T 2260, 11-82 and 83). The
    six-digit county code is not checked against a list: ID numbers keep the code of where they were issued,
    and thousands of codes have been renamed or abolished since, so a current list would miss real IDs; the
    check character already rejects 10 of 11 random numbers. 15-digit legacy numbers (province, date 19YYMMDD;
    they have no check character) only after an ID word (``id_context.txt``: 身份证, 证件号 …).
``BANK_CARD`` ``<PII:BANK_CARD>``
    16-19 digits, contiguous or grouped by 4 with spaces or dashes, passing Luhn and starting like a payment card
    (UnionPay 62, Visa 4, Mastercard 51-55/2221-2720 (16 digits), JCB 3528-3589, Discover 60/64/65, ICBC/ABC
    9558/9559); after a card word (``card_context.txt``: 卡号, 银行卡, 账号 …) any Luhn-valid one, and an
    order or tracking word (``not_card_context.txt``: 订单, 单号, 流水号, 编号 …) vetoes a number without a card
    word. A 12-25 digit number right after an account word (``account_context.txt``: 账号, 帐号, 账户 …) is a
    bank account number, masked as ``BANK_CARD`` without Luhn.
``MOBILE`` ``<PII:MOBILE>``
    ``1[3-9]x xxxx xxxx``: contiguous, 3-4-4 or 3-8 with spaces or dashes (one kind), with an optional
    ``+86``/``0086``/``(+86)`` prefix, ``86`` followed by a space or dash (``8613…`` alone reads as a serial
    number), or the old trunk ``0`` (``013812345678``), masked with it. A Latin
    letter may touch it only as a contact word (``v13812345678``, ``13812345678QQ``), not in a code or URL
    (``19056495275s.shtml``). A mobile number after 微信 is a ``MOBILE``.
``PHONE`` ``<PII:PHONE>``
    landlines with an area code: ``010-62754717``, ``(010)62754717``, ``（0755）2345678``, ``021 62345678``,
    ``02162345678``, ``0755.2826198``, ``020—83689742``, ``+86-10-62754717``, with an optional extension
    (``-123``, ``转123``, ``分机123``, ``ext.123``). The area code is structural (``010`` and ``02x`` with 8-digit
    local numbers, 7 only after an explicit separator as in older text; ``0`` + three digits with 7 or 8) and
    local numbers start with 2-9. A 7-8 digit local number alone only right after a phone word
    (``phone_context.txt``: 电话, 传真, Tel …). 400/800 hotlines and 5-digit service numbers are not masked.
``QQ`` ``<PII:QQ>``
    a 5-11 digit number right after a QQ word (``qq_keywords.txt``: QQ, 扣扣, Q号, 企鹅号), with at most two
    words between (号, 号码, 群, 客服, 在线, 咨询 …), then a separator (``:`` ``：`` ``∶`` ``;`` ``=`` ``/`` ``-``
    ``(``, spaces) and 是/为. A list ``QQ：12345、67890/13579 或 24680`` masks each number (a Chinese comma ends
    it). Only the number is masked; a number without a keyword is never a QQ number.
``WECHAT`` ``<PII:WECHAT>``
    an id right after a WeChat word (``wechat_keywords.txt``: 微信, 威信, 薇信, V信, VX, wx, weixin, wechat), with
    the same words and separators as QQ (plus 公众号): 6-20 characters ``[A-Za-z][-_A-Za-z0-9]`` or a 5-11 digit
    number. An id of letters only needs a colon, 号 or 是 (``微信 official``, ``微信/Whatsapp`` stay), a Latin
    keyword does not count right after a letter or ``+=_-`` (``t.me/+vx…``), and a keyword right after another
    field's label (``卡号： wx36571856``) is part of that field. ``wxid_…`` is masked anywhere.
``IP`` ``<PII:IP>``
    IPv6 (first, so ``::ffff:192.168.1.1`` is one address) validated by :mod:`ipaddress`, at least 6 characters
    with a decimal digit (``::1``, ``a::b``, ``12:30:45`` stay); IPv4 with octets 0-255 without leading zeros,
    first octet not 0, not part of a longer dotted number, not right after ``v``/``版本``/``version``
    (``version_context.txt``); one whose four numbers are all below 10 (``1.2.3.4``: versions, section numbers)
    only after an IP word (``ip_context.txt``).

Numbers are never matched inside a longer run of digits (``SF1234567890123``, part of a 20-digit order number,
``3.13812345678``), which keeps timestamps, ISBNs, tracking and order numbers, prices and statistics intact.
Context words are looked for in the *context* of a candidate: the 16 characters before it, spaces removed
(``帐    号``), from the last clause punctuation or digit on, so a word belongs to this number, not an earlier one.

Full-width digits, letters and signs (``１３８…``, ``＠``, ``－``) are matched too: when a text holds any, its
runs of them are folded to half-width into a scan copy of the same length (spans carry over) and the original
text is replaced. The clean stage folds them before this step anyway.

Speed: a pattern is tried only where it can start: numbers inside numeric chunks (one character-class scan),
e-mails around ``@``/``#``/``(at)``, QQ/WeChat ids at keyword occurrences (one scan of literal alternatives),
IPs in dotted runs and around ``:hex:``. ``bench/pii_bench.py`` measures the throughput.
"""

from __future__ import annotations

import ipaddress
import re
from bisect import bisect_left
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

PII_TYPES: tuple[str, ...] = ("ID", "MOBILE", "PHONE", "EMAIL", "IP", "BANK_CARD", "QQ", "WECHAT")
ID, MOBILE, PHONE, EMAIL, IP, BANK_CARD, QQ, WECHAT = PII_TYPES
CONTEXT_CHARS = 16  # how far before a candidate the context words are looked for

RULE_FILES = {
    "province_codes": "province_codes.txt",
    "qq_keywords": "qq_keywords.txt",
    "wechat_keywords": "wechat_keywords.txt",
    "id_context": "id_context.txt",
    "card_context": "card_context.txt",
    "not_card_context": "not_card_context.txt",
    "ip_context": "ip_context.txt",
    "version_context": "version_context.txt",
    "phone_context": "phone_context.txt",
    "account_context": "account_context.txt",
}


@dataclass(frozen=True)
class PiiRuleData:
    """The word and code lists of ``rules/pii/`` as plain, picklable data (see the module docstring)."""

    province_codes: frozenset[str]
    qq_keywords: tuple[str, ...]
    wechat_keywords: tuple[str, ...]
    id_context: tuple[str, ...]
    card_context: tuple[str, ...]
    not_card_context: tuple[str, ...]
    ip_context: tuple[str, ...]
    version_context: tuple[str, ...]
    phone_context: tuple[str, ...]
    account_context: tuple[str, ...]


def _read_entries(path: Path) -> tuple[str, ...]:
    if not path.is_file():
        raise FileNotFoundError(f"PII rule file not found: {path}")
    lines = path.read_text(encoding="utf-8").splitlines()
    return tuple(line.strip() for line in lines if line.strip() and not line.startswith("#"))


def load_pii_rules(folder: str | Path | None = None) -> PiiRuleData:
    """Read ``province_codes.txt`` and the keyword lists from ``folder`` (default: the checkout's ``rules/pii``)."""
    if folder is None:
        from corpus_pipeline.io.resources import SOURCE_ROOT, resource_dir

        # the checkout's folder first: resource_dir() imports pyspark to look for shipped files
        checkout = SOURCE_ROOT / "rules" / "pii"
        folder = checkout if checkout.is_dir() else resource_dir("rules") / "pii"
    folder = Path(folder)
    lists = {name: _read_entries(folder / file) for name, file in RULE_FILES.items()}
    codes = frozenset(entry.split()[0] for entry in lists.pop("province_codes"))
    bad = sorted(code for code in codes if not re.fullmatch(r"[1-9][0-9]", code))
    if bad:
        raise ValueError(f"{folder / RULE_FILES['province_codes']}: not two-digit codes: {', '.join(bad)}")
    return PiiRuleData(province_codes=codes, **lists)


@lru_cache(maxsize=1)
def _default_rules() -> PiiRuleData:
    return load_pii_rules()


@dataclass(frozen=True)
class PiiConfig:
    """What :func:`mask_pii` masks and how.

    ``types``: the PII types masked (a subset of :data:`PII_TYPES`); ``placeholder``: the replacement, a
    ``str.format`` template with ``{type}``; ``rules``: the lists of ``rules/pii`` (None: read the checkout's once).
    """

    types: frozenset[str] = frozenset(PII_TYPES)
    placeholder: str = "<PII:{type}>"
    rules: PiiRuleData | None = None

    def __post_init__(self) -> None:
        unknown = sorted(set(self.types) - set(PII_TYPES))
        if unknown:
            raise ValueError(f"unknown PII type(s) {', '.join(unknown)}; expected some of {', '.join(PII_TYPES)}")
        object.__setattr__(self, "types", frozenset(self.types))
        self.placeholder.format(type="ID")  # a bad template fails here, not on the first match


class PiiSpan(NamedTuple):
    """A masked value: ``text[start:end]`` is of PII type ``type``."""

    start: int
    end: int
    type: str


# ---------------------------------------------------------------------------------------------------------
# checks

_ID_WEIGHTS = tuple(pow(2, 17 - i, 11) for i in range(17))
_ID_CHECK = "10X98765432"


def id_check_char(first17: str) -> str:
    """The GB 11643 (ISO 7064 MOD 11-2) check character of the first 17 digits of an ID number."""
    return _ID_CHECK[sum(int(d) * w for d, w in zip(first17, _ID_WEIGHTS)) % 11]


def luhn_ok(digits: str) -> bool:
    """Whether a digit string passes the Luhn check."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = ord(ch) - 48
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def _date_ok(year: int, month: int, day: int) -> bool:
    try:
        date(year, month, day)
    except ValueError:
        return False
    return True


def card_scheme_ok(digits: str) -> bool:
    """Whether a 16-19 digit number starts like a payment card (UnionPay, Visa, Mastercard, JCB, Discover, ICBC)."""
    if digits[0] == "4" or digits[:2] in ("62", "60", "64", "65") or digits[:4] in ("9558", "9559"):
        return True
    if len(digits) == 16 and ("51" <= digits[:2] <= "55" or "2221" <= digits[:4] <= "2720"):
        return True
    return "3528" <= digits[:4] <= "3589"


# ---------------------------------------------------------------------------------------------------------
# patterns (run on the half-width scan copy)

_NUM_LEFT = r"(?<![0-9A-Za-z])(?<![0-9]\.)"
_NUM_RIGHT = r"(?![0-9A-Za-z])(?!\.[0-9])"
_DATE8 = r"(?:19|20)[0-9]{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01])"

_ID18 = re.compile(_NUM_LEFT + r"([1-9][0-9])[0-9]{4}( ?)(" + _DATE8 + r")\2[0-9]{3}[0-9Xx]" + _NUM_RIGHT)
_ID15 = re.compile(
    _NUM_LEFT + r"([1-9][0-9])[0-9]{4}([0-9]{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01]))[0-9]{3}" + _NUM_RIGHT
)
_CARD = re.compile(
    _NUM_LEFT + r"(?:[0-9]{16,19}|[0-9]{4}([ -])[0-9]{4}\1[0-9]{4}\1[0-9]{4}(?:\1[0-9]{1,3})?)" + _NUM_RIGHT
)
_ACCOUNT = re.compile(
    _NUM_LEFT + r"(?:[0-9]{12,25}|[0-9]{4}([ -])[0-9]{4}(?:\1[0-9]{4}){1,4}(?:\1[0-9]{1,4})?)" + _NUM_RIGHT
)
# a Latin letter may touch a mobile number only as a contact word ("v13812345678", "13812345678QQ"), checked after
_MOBILE = re.compile(
    r"(?:[(（]\+?86[)）] ?|(?<![0-9])\+86[ -]?|(?<![0-9+])(?<![0-9]\.)(?:0086[ -]?|86[ -]|0)?)"
    r"1[3-9][0-9](?:([ -])[0-9]{4}\1?|[0-9]{4})[0-9]{4}(?![0-9])(?!\.[0-9])"
)
_LETTERS_BEFORE = re.compile(r"[A-Za-z]+$")
_LETTERS_AFTER = re.compile(r"[A-Za-z]+")
_MOBILE_TOUCHING = frozenset("v vx wx tel qq msn email e mail fax vip mobile phone".split())
# area codes: 010 and 02x have 8-digit local numbers (7 in older text, accepted only after an explicit separator),
# 0 + three digits (0755, 0371 …) 7 or 8; local numbers start with 2-9
_LOCAL8 = r"[2-9][0-9]{3}[ -]?[0-9]{4}"
_LOCAL78 = r"[2-9][0-9]{2,3}[ -]?[0-9]{4}"
_PHONE = re.compile(
    "(?:"
    + "|".join(
        [
            r"[(（]0(?:10|2[0-9])[)）] ?" + _LOCAL78,  # (010)62754717
            r"[(（]0[3-9][0-9]{2}[)）] ?" + _LOCAL78,  # （0755）2345678
            _NUM_LEFT + r"(?:0(?:10|2[0-9])|(?:\+|00)86[ -]?(?:10|2[0-9]))(?:[ .\-—]" + _LOCAL78 + "|" + _LOCAL8 + ")",
            _NUM_LEFT + r"(?:0[3-9][0-9]{2}[ .\-—]?|(?:\+|00)86[ -]?[3-9][0-9]{2}[ -])" + _LOCAL78,
        ]
    )
    + r")(?:(?:-|转|分机|(?i:ext)\.? ?)[0-9]{1,5})?(?![0-9])(?!\.[0-9])"  # extension
)
_LOCAL_ONLY = re.compile(_NUM_LEFT + r"[2-9][0-9]{2,3}-?[0-9]{4}(?:(?:-|转|分机)[0-9]{1,5})?" + _NUM_RIGHT)
_EMAIL = re.compile(
    r"(?<![A-Za-z0-9_%])[A-Za-z0-9][A-Za-z0-9._%+\-]* ?@ ?[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.([A-Za-z]{2,24})"
    r"(?![A-Za-z\-])(?!\.[A-Za-z0-9])"
)
# "name#163.com", "name(at)163.com": an obfuscated address, only with a common top-level domain
_EMAIL_OBFUSCATED = re.compile(
    r"(?<![A-Za-z0-9_%+\-/#])[A-Za-z0-9][A-Za-z0-9._%+\-]{1,63} ?(?:#|\((?i:at)\)|\[(?i:at)\]|\{(?i:at)\}) ?"
    r"[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.(?i:com|net|org|cn|edu|gov)(?![A-Za-z0-9\-])(?!\.[A-Za-z0-9])"
)
_GLUED_TLD = re.compile(r"([a-z]{2,6})[A-Z][A-Za-z]*")  # "edu.cnFrom": a word glued to the domain
_IPV4 = re.compile(
    r"(?<![0-9A-Za-z])(?<![0-9]\.)([0-9]{1,3})\.([0-9]{1,3})\.([0-9]{1,3})\.([0-9]{1,3})(?![0-9A-Za-z]|\.[0-9])"
)
_IPV6 = re.compile(
    r"(?<![0-9A-Za-z])(?<![0-9]\.)(?<![0-9A-Fa-f.:]:)(?:[0-9A-Fa-f]{1,4}|:)(?::[0-9A-Fa-f]{0,4}){2,7}"
    r"(?:\.[0-9]{1,3}){0,3}(?![0-9A-Za-z:.])"
)
# a numeric chunk: where an ID, card, account, mobile or landline number can lie (digits, separators, brackets,
# the X of an ID, extension words; a "+" or bracket just before it is added); it starts with a character class,
# so the scan skips other text fast
_CHUNK = re.compile(r"[0-9][0-9 +()（）\-—.Xx转分机extEXT]*")
_DOTTED = re.compile(r"[0-9][0-9.]{6,}")
_V6_HINT = re.compile(r":[0-9A-Fa-f]{0,4}:")
_OBFUSCATION_MARK = re.compile(r"#|\((?i:at)\)|\[(?i:at)\]|\{(?i:at)\}")
_HEX_COLON_CHARS = frozenset("0123456789abcdefABCDEF:.")
_LOCAL_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._%+-")
_GAP = r"[ \t\u3000]*"
# between a QQ/WeChat word and the id: a few words (客服, 号码 …), a separator (：, :, ;, =, -), 是/为
_KEYWORD_WORDS = r"(?:客服|在线|咨询|交流|联系|号码|群号|公众号|公号|号|群|账号|帐号|ID|id)"
_KEYWORD_SEP = "".join(
    [
        _GAP + r"(?P<word>" + _KEYWORD_WORDS + "(?:" + _GAP + r"(?:客服|在线|咨询|交流|号码|号))?)?",
        _GAP + r"(?P<sep>(?:[:：∶;；=/(（+]|-{1,4}|—{1,2})" + _GAP + r"(?:[:：]" + _GAP + r")?)?",
        r"(?P<is>(?:是|为)[:：]?" + _GAP + ")?",
    ]
)
_LIST_NEXT = re.compile(_GAP + r"(?:[、,/\\]|或)" + _GAP + r"([1-9][0-9]{4,10})(?![0-9A-Za-z])")
_CLAUSE_END = re.compile(r"[。！？；，,;!?\n0-9]")  # a context word must belong to this number
_SPACES = re.compile(r"[ \t\u3000]+")
_WXID = re.compile(r"(?<![A-Za-z0-9_])wxid_[a-z0-9]{8,24}(?![A-Za-z0-9_])")
# letters-only "ids" that are words: app and platform names, English words after 微信
_WECHAT_WORDS = frozenset(
    "wechat weixin official account accounts mobile online public whatsapp telegram skype facebook twitter weibo "
    "douyin alipay".split()
)
_COLON = re.compile(r"[:：∶=]")
_FIELD_LABEL = re.compile(r"[^\W\d_][号码][:：]$")  # 卡号： 密码： (not the 号 of 第123号)

# full-width digits, letters and the signs that occur inside values fold to ASCII, one for one (Chinese prose
# punctuation such as ， and ； stays, so the scan copy splits clauses as the text does)
_FOLD = {cp: cp - 0xFEE0 for cp in [*range(0xFF10, 0xFF1A), *range(0xFF20, 0xFF3B), *range(0xFF41, 0xFF5B)]}
_FOLD.update({ord(c): ord(c) - 0xFEE0 for c in "＋－．（）＿＃％［］｛｝"})
_FOLD[0x3000] = 0x20
_FOLD_GATE = re.compile(r"[\uff10-\uff19\uff20-\uff3a\uff41-\uff5a\uff0b\uff0d\uff0e\uff03]")
_FOLD_RUN = re.compile("[" + "".join(re.escape(chr(cp)) for cp in sorted(_FOLD)) + "]+")


def _fold_run(match: re.Match) -> str:
    return match.group().translate(_FOLD)


def _keyword_regex(words: tuple[str, ...], suffix: str) -> re.Pattern:
    """Any of ``words`` (case-insensitive; a Latin one not right after a letter or + = _ -), then ``suffix``."""
    alternatives = []
    for word in sorted(set(words), key=lambda w: (-len(w), w)):
        guard = r"(?<![A-Za-z+=_\-])" if word[:1].isascii() and word[:1].isalpha() else ""
        alternatives.append(guard + re.escape(word))
    return re.compile("(?i:" + "|".join(alternatives) + ")" + suffix)


def _ends_with_word(words: tuple[str, ...]) -> re.Pattern | None:
    """Matches a (space-free) context that ends in one of ``words``, then an optional 是/为 and colon."""
    if not words:
        return None
    alternatives = "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True))
    return re.compile("(?:" + alternatives + r")(?:号码|号)?(?:是|为)?[:：]?$")


class _Taken:
    """Disjoint spans accepted so far (sorted), to drop later candidates that overlap them."""

    def __init__(self) -> None:
        self.starts: list[int] = []
        self.spans: list[PiiSpan] = []

    def add(self, start: int, end: int, kind: str) -> bool:
        i = bisect_left(self.starts, start)
        if i > 0 and self.spans[i - 1].end > start:
            return False
        if i < len(self.spans) and self.spans[i].start < end:
            return False
        self.starts.insert(i, start)
        self.spans.insert(i, PiiSpan(start, end, kind))
        return True


class PiiMasker:
    """Compiled PII patterns for one :class:`PiiConfig` (build once per worker; :func:`compile_pii` caches)."""

    def __init__(self, config: PiiConfig):
        self.config = config
        rules = config.rules or _default_rules()
        self.rules = rules
        self._provinces = rules.province_codes
        self._placeholders = {kind: config.placeholder.format(type=kind) for kind in PII_TYPES}
        number = r"(?P<id>[1-9][0-9]{4,10})(?![0-9A-Za-z])"
        self._qq = _keyword_regex(rules.qq_keywords, _KEYWORD_SEP + number) if rules.qq_keywords else None
        self._wechat = (
            _keyword_regex(
                rules.wechat_keywords,
                _KEYWORD_SEP + r"(?P<id>[A-Za-z][A-Za-z0-9_\-]{5,19}|[1-9][0-9]{4,10})(?![A-Za-z0-9_\-])(?!:/)",
            )
            if rules.wechat_keywords
            else None
        )
        self._id_context = rules.id_context
        self._card_context = rules.card_context
        self._not_card_context = rules.not_card_context
        self._ip_context = rules.ip_context
        self._account_before = _ends_with_word(rules.account_context)
        self._phone_before = _ends_with_word(rules.phone_context)
        # literal gates: lower-case forms of the keywords, tested on the lower-cased text only when needed
        # every keyword occurrence in one scan of the lower-cased text (literal alternatives: a fast scan)
        self._keyword_kind = {}
        if QQ in config.types and self._qq is not None:
            self._keyword_kind.update({w.lower(): QQ for w in rules.qq_keywords})
        if WECHAT in config.types and self._wechat is not None:
            self._keyword_kind.update({w.lower(): WECHAT for w in rules.wechat_keywords})
        self._keywords = (
            re.compile("|".join(re.escape(w) for w in sorted(self._keyword_kind, key=lambda w: (-len(w), w))))
            if self._keyword_kind
            else None
        )
        self._numeric = bool({ID, BANK_CARD, MOBILE, PHONE} & config.types)
        self._version_re = _keyword_regex(rules.version_context, r" ?[:：]? ?$") if rules.version_context else None

    # ------------------------------------------------------------------ public
    def find(self, text: str) -> list[PiiSpan]:
        """The PII spans of ``text``, sorted and disjoint.

        Every pattern is tried only where it can start: e-mails around an ``@`` (or ``#``/``(at)``), numbers
        inside the numeric chunks of the text (runs of digits, separators and brackets of 7+ characters, found by
        one character-class scan), QQ/WeChat ids after an occurrence of a keyword, IPs in dotted or colon runs.
        Chunks never touch each other, so handling them one by one in the type order gives the same result as
        running each type over the whole text.
        """
        scan = _FOLD_RUN.sub(_fold_run, text) if _FOLD_GATE.search(text) else text
        types = self.config.types
        taken = _Taken()
        if EMAIL in types:
            if "@" in scan:
                self._find_emails(scan, taken, "@", _EMAIL)
            if "#" in scan or "t)" in scan or "t]" in scan or "t}" in scan or "T)" in scan or "T]" in scan:
                self._find_emails(scan, taken, _OBFUSCATION_MARK, _EMAIL_OBFUSCATED)
        if self._numeric:
            size = len(scan)
            for chunk in _CHUNK.finditer(scan):
                start, end = chunk.span()
                if end - start >= 7:
                    while start and scan[start - 1] in "+(（" and chunk.start() - start < 3:
                        start -= 1  # "(+86)", "（0755）" begin before the digits
                    self._find_numbers(scan, taken, start, min(size, end + 2))
        if self._keywords is not None:
            lower = scan.lower()
            hits = {QQ: [], WECHAT: []}
            if len(lower) == len(scan):
                for m in self._keywords.finditer(lower):
                    hits[self._keyword_kind[m.group()]].append(m.start())
            else:  # lower-casing changed the length (a rare letter such as İ): try every position of the text
                hits = {QQ: range(len(scan)), WECHAT: range(len(scan))}
            if hits[QQ]:
                self._find_listed(self._qq, hits[QQ], scan, taken, QQ)
            if WECHAT in types and "wxid_" in scan:
                for m in _WXID.finditer(scan):
                    taken.add(m.start(), m.end(), WECHAT)
            if hits[WECHAT]:
                self._find_listed(self._wechat, hits[WECHAT], scan, taken, WECHAT)
        if IP in types:
            if ":" in scan:
                self._find_ipv6(scan, taken)  # first: ::ffff:192.168.1.1 is one address
            if "." in scan:
                for chunk in _DOTTED.finditer(scan):
                    if chunk.group().count(".") >= 3:
                        self._find_ipv4(scan, taken, chunk.start(), min(len(scan), chunk.end() + 2))
        return taken.spans

    def mask(self, text: str) -> tuple[str, dict[str, int]]:
        spans = self.find(text)
        if not spans:
            return text, {}
        parts, counts, last = [], {}, 0
        for start, end, kind in spans:
            parts.append(text[last:start])
            parts.append(self._placeholders[kind])
            counts[kind] = counts.get(kind, 0) + 1
            last = end
        parts.append(text[last:])
        return "".join(parts), counts

    # ------------------------------------------------------------------ context
    @staticmethod
    def _before(scan: str, start: int) -> str:
        """The context of a candidate: up to 16 characters before it, spaces removed, from the last clause
        punctuation or digit on (a word there belongs to this number, not to an earlier one)."""
        window = scan[max(0, start - CONTEXT_CHARS) : start]
        if " " in window or "\t" in window or "\u3000" in window:
            window = _SPACES.sub("", window)
        return _CLAUSE_END.split(window)[-1]

    def _context(self, scan: str, start: int, words: tuple[str, ...]) -> bool:
        before = self._before(scan, start)
        return bool(before) and any(w in before for w in words)

    def _directly_after(self, scan: str, start: int, pattern: re.Pattern) -> bool:
        before = self._before(scan, start)
        return bool(before) and pattern.search(before) is not None

    # ------------------------------------------------------------------ per type
    def _find_emails(self, scan: str, taken: _Taken, marker: str | re.Pattern, pattern: re.Pattern) -> None:
        """Addresses around each ``marker`` (``@``, or a pattern for ``#``/``(at)``), left end found by hand."""
        if isinstance(marker, str):
            positions = []
            at = scan.find(marker)
            while at != -1:
                positions.append(at)
                at = scan.find(marker, at + 1)
        else:
            positions = [m.start() for m in marker.finditer(scan)]
        for at in positions:
            start = at - 1 if at and scan[at - 1] == " " else at  # "name @ 163.com"
            floor = max(0, start - 64)
            while start > floor and scan[start - 1] in _LOCAL_CHARS:
                start -= 1
            while start < at and not (scan[start].isascii() and scan[start].isalnum()):
                start += 1
            m = pattern.match(scan, start)
            if m is not None:
                end = m.end()
                if m.re is _EMAIL and (glued := _GLUED_TLD.fullmatch(m.group(1))) is not None:
                    end = m.start(1) + glued.end(1)
                taken.add(m.start(), end, EMAIL)

    def _find_numbers(self, scan: str, taken: _Taken, lo: int, hi: int) -> None:
        """ID, bank card and account, mobile and landline numbers in ``scan[lo:hi]``, in that order of priority."""
        types = self.config.types
        if ID in types:
            _scan(_ID18, scan, lo, hi, taken, ID, self._id18_span)
            _scan(_ID15, scan, lo, hi, taken, ID, self._id15_span)
        if BANK_CARD in types:
            _scan(_CARD, scan, lo, hi, taken, BANK_CARD, self._card_span)
            if self._account_before is not None:
                _scan(_ACCOUNT, scan, lo, hi, taken, BANK_CARD, self._account_span)
        if MOBILE in types:
            _scan(_MOBILE, scan, lo, hi, taken, MOBILE, _mobile_span)
        if PHONE in types:
            _scan(_PHONE, scan, lo, hi, taken, PHONE, _letters_after_ok)
            if self._phone_before is not None:
                _scan(_LOCAL_ONLY, scan, lo, hi, taken, PHONE, self._local_phone_span)

    def _id18_span(self, scan: str, m: re.Match) -> tuple[int, int] | None:
        digits = m.group().replace(" ", "")
        birth = m.group(3)
        if (
            m.group(1) in self._provinces
            and _date_ok(int(birth[:4]), int(birth[4:6]), int(birth[6:]))
            and id_check_char(digits[:17]) == digits[17].upper()
        ):
            return m.span()
        return None

    def _id15_span(self, scan: str, m: re.Match) -> tuple[int, int] | None:
        birth = m.group(2)
        if (
            m.group(1) in self._provinces
            and _date_ok(1900 + int(birth[:2]), int(birth[2:4]), int(birth[4:]))
            and self._context(scan, m.start(), self._id_context)
        ):
            return m.span()
        return None

    def _card_span(self, scan: str, m: re.Match) -> tuple[int, int] | None:
        start, end = m.span()
        digits = m.group() if m.group(1) is None else m.group().replace(m.group(1), "")
        if not luhn_ok(digits):
            if m.group(1) is None or len(digits) not in (17, 18):
                return None
            # "卡号 6222 0212 3456 7890 1、…": a group of 1-2 digits after four of four may not belong to it
            digits, end = digits[:16], start + 19
            if not luhn_ok(digits):
                return None
        if self._context(scan, start, self._card_context):
            return start, end
        if card_scheme_ok(digits) and not self._context(scan, start, self._not_card_context):
            return start, end
        return None

    def _account_span(self, scan: str, m: re.Match) -> tuple[int, int] | None:
        # a bank account number right after 账号 etc.: 账号：0131014170002746
        return m.span() if self._directly_after(scan, m.start(), self._account_before) else None

    def _local_phone_span(self, scan: str, m: re.Match) -> tuple[int, int] | None:
        return m.span() if self._directly_after(scan, m.start(), self._phone_before) else None

    def _find_listed(self, pattern: re.Pattern, starts, scan: str, taken: _Taken, kind: str) -> None:
        """Ids after the keywords that start at ``starts``; a list after the first id (``QQ：12345、67890``)
        gives one span per id."""
        for at in starts:
            m = pattern.match(scan, at)
            if m is None:
                continue
            value = m.group("id")
            if (
                kind == WECHAT
                and value.isalpha()
                and (
                    value.lower() in _WECHAT_WORDS
                    or not (m.group("word") or m.group("is") or _COLON.search(m.group("sep") or ""))
                )
            ):
                continue  # "微信 official", "微信/Whatsapp": a word, not an id, without a colon, 号 or 是 between
            if "；" in (m.group("sep") or "") and not value.isdigit():
                continue  # "微信 WeChat；SM-G9910": a Chinese semicolon ends the clause unless a number follows
            if _FIELD_LABEL.search(self._before(scan, at)):
                continue  # "卡号：wx36571856": the keyword is part of a number in another field
            taken.add(m.start("id"), m.end("id"), kind)
            pos = m.end("id")
            while (more := _LIST_NEXT.match(scan, pos)) is not None:
                taken.add(more.start(1), more.end(1), kind)
                pos = more.end(1)

    def _find_ipv4(self, scan: str, taken: _Taken, lo: int, hi: int) -> None:
        for m in _IPV4.finditer(scan, lo, hi):
            octets = m.groups()
            if any((len(o) > 1 and o[0] == "0") or int(o) > 255 for o in octets) or octets[0] == "0":
                continue
            start = m.start()
            if self._version_re is not None and self._version_re.search(scan[max(0, start - 10) : start]):
                continue
            if all(len(o) == 1 for o in octets) and not self._context(scan, start, self._ip_context):
                continue
            taken.add(start, m.end(), IP)

    def _find_ipv6(self, scan: str, taken: _Taken) -> None:
        """Around each ``:hex:`` (or ``::``), the run of hex digits, colons and dots is tried as :data:`_IPV6`."""
        size, done = len(scan), 0
        for hint in _V6_HINT.finditer(scan):
            colon = hint.start()
            if colon >= done:
                lo = colon
                while lo > 0 and scan[lo - 1] in _HEX_COLON_CHARS:
                    lo -= 1
                hi = colon + 1
                while hi < size and scan[hi] in _HEX_COLON_CHARS:
                    hi += 1
                done = hi
                if hi - lo >= 6 and scan.count(":", lo, hi) >= 2:
                    for m in _IPV6.finditer(scan, lo, min(size, hi + 1)):
                        value = m.group()
                        if len(value) >= 6 and any(c.isdigit() for c in value) and _ipv6_ok(value):
                            taken.add(m.start(), m.end(), IP)


def _scan(pattern: re.Pattern, scan: str, lo: int, hi: int, taken: _Taken, kind: str, check) -> None:
    """Candidates of ``pattern`` in ``scan[lo:hi]``, kept where ``check(scan, match)`` gives a span that is free.

    After a rejected candidate the search goes on from its next character, not from its end: in
    ``+0800 5525 9956 4205 4379`` the card starts inside the first, rejected 4-4-4-4 candidate.
    """
    pos = lo
    while (m := pattern.search(scan, pos, hi)) is not None:
        span = check(scan, m)
        if span is not None and taken.add(span[0], span[1], kind):
            pos = span[1]
        else:
            pos = m.start() + 1


def _letters_after_ok(scan: str, m: re.Match) -> tuple[int, int] | None:
    """The match, unless Latin letters other than a contact word follow it ("0731-88151902E-mail" is fine)."""
    end = m.end()
    if end < len(scan) and scan[end].isascii() and scan[end].isalpha():
        if _LETTERS_AFTER.match(scan, end).group().lower() not in _MOBILE_TOUCHING:
            return None
    return m.span()


def _mobile_span(scan: str, m: re.Match) -> tuple[int, int] | None:
    start, end = m.span()
    if start and scan[start - 1].isascii() and scan[start - 1].isalpha() and scan[start] not in "+(（":
        letters = _LETTERS_BEFORE.search(scan, max(0, start - 8), start)
        if letters is None or letters.group().lower() not in _MOBILE_TOUCHING:
            return None  # "19056495275s.shtml", "abc13812345678": part of a code or URL
    return _letters_after_ok(scan, m)


def _ipv6_ok(value: str) -> bool:
    try:
        ipaddress.IPv6Address(value)
    except ValueError:
        return False
    return True


@lru_cache(maxsize=16)
def compile_pii(config: PiiConfig) -> PiiMasker:
    """The :class:`PiiMasker` of ``config`` (cached per config)."""
    return PiiMasker(config)


DEFAULT_CONFIG = PiiConfig()


def find_pii(text: str, config: PiiConfig = DEFAULT_CONFIG) -> list[PiiSpan]:
    """The PII spans :func:`mask_pii` would replace: sorted, disjoint, with their types."""
    return compile_pii(config).find(text)


def mask_pii(text: str, config: PiiConfig = DEFAULT_CONFIG) -> tuple[str, dict[str, int]]:
    """``text`` with every PII value replaced by its typed placeholder, and the number of values masked per type."""
    return compile_pii(config).mask(text)
