"""Telling the encoding of a text file we decode ourselves (CSV sheets, lists, registers).

UTF-8 first, then GB18030 (what Chinese Excel saves). Two encodings are recognised only to say
so: UTF-16 without a byte-order mark (every other byte NUL in mostly-ASCII text) would decode
as UTF-8 full of NULs, and Big5 (traditional Chinese) decodes as GB18030 without an error but
into wrong characters; either read as "No heading row found" (issue 14). For them
:func:`misread_encoding` names the encoding found and the ``--encoding`` that reads it.
"""
from __future__ import annotations

#: Bytes looked at to tell an encoding.
SAMPLE = 64 * 1024


def utf16_without_bom(data: bytes) -> str | None:
    """'utf-16-le' or 'utf-16-be' when NULs fill one byte of each pair (ASCII-heavy UTF-16), else None."""
    sample = data[:SAMPLE - SAMPLE % 2]
    pairs = len(sample) // 2
    if pairs < 2:
        return None
    even_nuls = sample[0::2].count(0)
    odd_nuls = sample[1::2].count(0)
    if odd_nuls >= 0.3 * pairs and even_nuls <= 0.05 * pairs:
        return "utf-16-le"
    if even_nuls >= 0.3 * pairs and odd_nuls <= 0.05 * pairs:
        return "utf-16-be"
    return None


def looks_like_big5(data: bytes) -> bool:
    """Whether bytes that decode as GB18030 are rather Big5: common Big5 characters, rare GB2312 ones.

    Simplified Chinese in GB18030 is nearly all GB2312 characters; Big5 bytes read as GB18030
    fall half outside GB2312 (Big5's second bytes 0x40-0x7E) or into unused rows. Read as Big5
    the same bytes are nearly all in Big5's frequently-used block (first bytes 0xA4-0xC6).
    """
    sample = data[:SAMPLE]
    try:
        as_big5 = sample.decode("big5", errors="strict")
    except UnicodeDecodeError as exc:
        if exc.start < len(sample) - 1:  # a character cut by the sample's end is no evidence
            return False
        as_big5 = sample[:exc.start].decode("big5")
    wide = [ch for ch in as_big5 if ord(ch) > 0x7F]
    if len(wide) < 4:
        return False
    common_big5 = sum(1 for ch in wide if 0xA4 <= ch.encode("big5")[0] <= 0xC6) / len(wide)
    as_gb = sample.decode("gb18030", errors="replace")
    gb_wide = [ch for ch in as_gb if ord(ch) > 0x7F]
    in_gb2312 = sum(1 for ch in gb_wide if _in_gb2312(ch)) / max(len(gb_wide), 1)
    return common_big5 >= 0.8 and in_gb2312 < 0.8


def _in_gb2312(ch: str) -> bool:
    try:
        ch.encode("gb2312")
    except UnicodeEncodeError:
        return False
    return True


def misread_encoding(data: bytes, utf8: bool = True) -> str | None:
    """The sentence for bytes in an encoding we do not guess (UTF-16 without BOM, Big5), or None.

    ``utf8=False`` asks only about UTF-16 (before trying UTF-8); Big5 is asked about once the
    bytes are known not to be UTF-8.
    """
    found = utf16_without_bom(data)
    if found:
        return (f"This file looks like {found.upper()} text without a byte-order mark (every other byte is NUL), "
                f"not UTF-8 or GB18030; nothing was read. Read it with --encoding {found}, or save it as UTF-8.")
    if utf8 and looks_like_big5(data):
        return ("This file looks like Big5 (traditional Chinese) text, not UTF-8 or GB18030; nothing was read. "
                "Read it with --encoding big5, or save it as UTF-8.")
    return None


#: Traditional characters of the words a sheet's headings and status cells use, and their
#: simplified forms, so a Big5 sheet read with --encoding big5 finds its heading row
#: (標準號 is 标准号). Only these words: the cells' own text is kept as written.
_TRADITIONAL = str.maketrans(
    "標準號稱狀態發佈實廢採況際類歸單頁數鍵詞館載體訪問備註國編電紙質現將徵見審報範圍適用標題稱語",
    "标准号称状态发布实废采况际类归单页数键词馆载体访问备注国编电纸质现将征见审报范围适用标题称语")


def fold_traditional(text: str) -> str:
    """Heading and status words in traditional characters -> simplified ('標準號' -> '标准号')."""
    return text.translate(_TRADITIONAL)
