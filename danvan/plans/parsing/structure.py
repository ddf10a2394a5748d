"""Header, parts and items of a plan: title, purposes, requirements, sections, targets, assignments."""

from __future__ import annotations

import re
from dataclasses import dataclass

from danvan.core.text import search_key

from .dates import header_date
from .footer import readable
from .model import Field, Source
from .references import TYPES, split_number
from .targets import read_target
from .text import Block, Line, clean, is_upper_text, lines_source, starts_lower

_TYPE_LINE = re.compile(
    "^(?P<type>"
    + "|".join(sorted((t.upper() for t in TYPES), key=len, reverse=True))
    + r")\b\s*(?P<rest>.*)$"
)
_MOTTO = re.compile(
    r"C\s?Ộ\s?N\s?G?\s*H\s?[OÒ]\s?[AÀ]?.{0,30}?VI\s?Ệ\s?T\s+NAM|Độc\s+lập\s*[-–—]\s*Tự\s+do\s*[-–—]\s*Hạnh\s+phúc|"
    r"ĐỘC\s+LẬP\s*[-–—]\s*TỰ\s+DO\s*[-–—]\s*HẠNH\s+PHÚC",
)
_SO_LINE = re.compile(
    r"S[ốô]\s*:\s*(?P<ref>(?:\d{1,5}(?:/\d{4})?)?\s*/\s*[A-ZĐ][\wĐđ]*(?:\s?[-/]\s?[\wĐđ]+)*)"
)
_PLACE = re.compile(r"(?P<place>[A-ZĐÂ][^\d,:;/()]{1,40}?)\s*,\s*(?:ngày|gày)\b")
_BODY_NAMES = re.compile(r"(?:ỦY BAN NHÂN DÂN|UBND|HỘI ĐỒNG NHÂN DÂN|HĐND|SỞ|PHÒNG|BAN|ĐẢNG ỦY|VĂN PHÒNG)\b")
_YEAR = re.compile(r"\bnăm\s+(\d{4})\b", re.IGNORECASE)
_ISSUER_SENTENCE = re.compile(
    r"(?:^|[.;:]\s+|\d{4}[.,]?\s+)(?P<issuer>(?:UBND|Ủy ban nhân dân|Ủy ban Nhân dân|UỶ BAN NHÂN DÂN|Sở|Phòng|Ban|Hội đồng nhân dân|"
    r"Đảng ủy|Văn phòng)[^.;:]{0,80}?)\s+(?:ban hành|xây dựng|triển khai)\s+(?:K[ếe ]\s?ho[ạa ]ch|kế hoạch)",
)
_CLOSING_ISSUER = re.compile(
    r"của\s+(?P<issuer>(?:UBND|Ủy ban nhân dân|Sở|Phòng|Ban)[^,.;/]{0,60}?)\s*(?:[,;.]|$)"
)
_SENTENCE_END = re.compile(r"(?<!\b[A-ZĐ])(?<!\bTT)(?<!\bv\.v)[.!?…]\s+(?=[“\"(]?[A-ZĐÂÊÔƠƯĂ])")

KIND_WORDS = (
    ("targets", ("chi tieu",)),
    ("purpose", ("muc dich", "yeu cau")),
    ("organisation", ("to chuc thuc hien",)),
    ("content", ("noi dung", "nhiem vu", "giai phap")),
)
_LEAD_IN = re.compile(r"^(?:Giao(?:\s+cho)?|Đề nghị|Yêu cầu|Phân công)\s+", re.IGNORECASE)
_UNIT_START = re.compile(
    r"^(?:(?:các|mỗi|toàn thể)\s+)?(?:công chức|cán bộ|phòng|sở|ban|bộ phận|ubnd|ủy ban|uỷ ban|thủ trưởng|chủ tịch|"
    r"trung tâm|văn phòng|thanh tra|đài|khối|mặt trận|hội(?!\s+nghị)|đoàn(?!\s+kết)|công an|chỉ huy|trường|trạm|"
    r"chi cục|cục|bộ(?!\s+máy)|tòa|viện|đảng ủy|huyện ủy|tỉnh ủy|liên đoàn|cơ quan|đơn vị|người đứng đầu|trưởng|"
    r"thường trực|hội đồng|mttq|bảo hiểm|kho bạc|chi nhánh|ngân hàng|báo(?!\s+cáo)|cổng|trang|tổ(?!\s+chức)|"
    r"thôn|ấp|hđnd|ban chỉ đạo|ngành|địa phương|xã|phường|thị trấn|ủy viên)\b",
    re.IGNORECASE,
)
_UNIT_END = re.compile(
    r"\s*,?\s+(?:chủ trì|phối hợp|có trách nhiệm|chủ động|tham mưu|thực hiện|xây dựng|triển khai|căn cứ|theo dõi|"
    r"hướng dẫn|kiểm tra|đăng tin|tuyên truyền|rà soát|báo cáo|làm tốt|tiếp tục|định kỳ|nghiên cứu|cập nhật|"
    r"đôn đốc|tập trung|quán triệt|bố trí|lồng ghép|phân công|chỉ đạo|giám sát|nắm|phát huy|đẩy mạnh|"
    r"tăng cường|nâng cao|thường xuyên|kịp thời|cần|phải|đảm bảo|bảo đảm)\b"
)
_CO_OP = re.compile(r"phối hợp(?: chặt chẽ)? với\s+(?P<units>.+?)(?=" + _UNIT_END.pattern[5:] + r"|[;.:]|$)")
_STARTS_CO_OP = re.compile(r"^(?:chủ động\s+)?phối hợp", re.IGNORECASE)


@dataclass
class Header:
    fields: dict[str, Field]
    body_start: int  # index into doc lines where the body begins


def _first_title_line(lines: list[Line]) -> int | None:
    for i, line in enumerate(lines[:60]):
        text = clean(line.text)
        match = _TYPE_LINE.match(text)
        if match and (not match.group("rest") or not is_upper_text(match.group("rest")) or len(text) < 60):
            return i
    return None


def read_header(lines: list[Line], repair: object | None) -> Header:
    fields: dict[str, Field] = {}
    index = _first_title_line(lines)
    head = lines[:index] if index is not None else lines[:8]
    for line in head:
        text = clean(line.text)
        so = _SO_LINE.search(text)
        if so and "number" not in fields:
            number, raw_symbol = split_number(so.group("ref"))
            symbol = raw_symbol.lstrip("/") if raw_symbol else None
            fields["number"] = Field(number, lines_source([line]))
            fields["symbol"] = Field(symbol, lines_source([line]))
        place = _PLACE.search(_MOTTO.sub("   ", line.text))
        if place and "place" not in fields:
            value = clean(re.split(r"\s{2,}", place.group("place").strip())[-1])
            value = re.sub(r"^(?:[\w.]*[-/][\w./-]*\s+)+", "", value)
            if value and readable(value) and not _BODY_NAMES.match(value):
                fields["place"] = Field(value, lines_source([line]))
        if "issued_on" not in fields and re.search(r"th[áa]ng|ăm\s+\d{4}", text):
            issued = header_date(text)
            if issued:
                fields["issued_on"] = Field(issued, lines_source([line]))
    issuer_lines = []
    for line in head:
        text = _MOTTO.sub(" ", clean(line.text))
        text = re.sub(r"S[ốô]\s*:.*$", "", text)
        text = re.sub(r"[A-ZĐÂ][^\d,:;/()]{1,40}?,\s*(?:ngày|gày)\b.*$", "", text)
        text = clean(text.strip("-–_*"))
        if text and is_upper_text(text) and not re.search(r"VIỆT NAM|HẠNH PHÚC|HÒA|HOÀ", text):
            issuer_lines.append((line, text))
    if issuer_lines:
        joined = clean(" ".join(text for _line, text in issuer_lines))
        starts = [m.start() for m in _BODY_NAMES.finditer(joined)]
        if len(starts) > 1:
            joined = joined[starts[-1] :] if starts[-1] > 0 else joined
        if readable(joined):
            fields["issuer"] = Field(joined, lines_source([line for line, _t in issuer_lines]))
    body_start = 0 if index is None else index + 1
    if index is not None:
        title_line = lines[index]
        match = _TYPE_LINE.match(clean(title_line.text))
        if match is None:  # pragma: no cover - _first_title_line matched this line
            return Header(fields, body_start)
        type_name = next(t for t in TYPES if t.upper() == match.group("type"))
        fields["type_name"] = Field(type_name, lines_source([title_line]))
        parts = [match.group("rest")] if match.group("rest") else []
        used = [title_line] if parts else []
        j = index + 1
        while j < len(lines):
            text = clean(lines[j].text)
            if re.fullmatch(r"[-_=*.\s]+", text):
                j += 1
                if parts:
                    break
                continue
            if not parts or (starts_lower(text) and len(" ".join(parts)) < 250):
                parts.append(text)
                used.append(lines[j])
                j += 1
                continue
            break
        body_start = j
        if parts:
            title = clean(" ".join(parts)).strip(" .")
            repaired = False
            if repair is not None:
                fixed, changes = repair.repair(" ".join(line.gap_text.strip() for line in used))  # type: ignore[attr-defined]
                if changes:
                    title, repaired = clean(fixed).strip(" ."), True
                    if match.group("rest"):
                        title = clean(title[len(match.group("type")) :]).strip(" .")
            fields["title"] = Field(title, lines_source(used), repaired=repaired)
    return Header(fields, body_start)


def year_of(title: str | None, issued_on: str | None) -> int | None:
    if title:
        years = _YEAR.findall(title)
        if years:
            return int(years[-1])
    if issued_on:
        return int(issued_on[:4])
    return None


def issuer_from_text(blocks: list[Block]) -> Field | None:
    """No header block: "UBND huyện X ban hành Kế hoạch ..." in the opening paragraph names the issuer."""
    for block in blocks:
        match = _ISSUER_SENTENCE.search(block.text)
        if match:
            value = clean(match.group("issuer"))
            if readable(value) and "  " not in match.group("issuer"):
                return Field(value, block.source(), repaired=block.repaired)
            return None
    return None


def part_kind(title: str) -> str:
    key = search_key(title)
    for kind, words in KIND_WORDS:
        if any(word in key for word in words):
            return kind
    return "other"


def split_parts(blocks: list[Block]) -> tuple[list[Block], list[tuple[str, Block, list[Block]]]]:
    """Preamble blocks, then (kind, heading, blocks) for each Roman-numbered part."""
    preamble: list[Block] = []
    parts: list[tuple[str, Block, list[Block]]] = []
    for block in blocks:
        if block.kind == "roman":
            parts.append((part_kind(block.body), block, []))
        elif parts:
            parts[-1][2].append(block)
        else:
            preamble.append(block)
    if not parts:
        # Some plans number their parts 1., 2., ... in capitals instead of I., II., ...
        for block in blocks:
            if block.kind == "number" and "." not in block.marker and is_upper_text(block.body[:60]):
                block.kind = "roman"
        if any(block.kind == "roman" for block in blocks):
            return split_parts(blocks)
    return preamble, parts


def item_text(block: Block) -> str:
    return clean(block.body if block.kind != "para" else block.text).strip()


def sentences(text: str) -> list[str]:
    out, start = [], 0
    for match in _SENTENCE_END.finditer(text):
        out.append(text[start : match.start() + 1].strip())
        start = match.end()
    out.append(text[start:].strip())
    return [s for s in out if s]


def read_purposes(blocks: list[Block], title: str) -> tuple[list[Field], list[Field]]:
    purposes: list[Field] = []
    requirements: list[Field] = []
    key = search_key(title)
    default = "requirements" if "yeu cau" in key and "muc dich" not in key else None
    bucket = default
    for block in blocks:
        text = item_text(block)
        head = search_key(text[:40])
        if block.kind == "number" and (head.startswith("muc dich") or head.startswith("yeu cau")):
            bucket = "purposes" if head.startswith("muc dich") else "requirements"
            rest = re.sub(r"^[^:]{0,30}:\s*", "", text) if ":" in text[:30] else ""
            if rest:
                target = purposes if bucket == "purposes" else requirements
                target.append(Field(rest, block.source(), repaired=block.repaired))
            continue
        if not text:
            continue
        chosen = bucket or ("requirements" if re.search(r"\bphải\b", text) else "purposes")
        (purposes if chosen == "purposes" else requirements).append(
            Field(text, block.source(), repaired=block.repaired)
        )
    return purposes, requirements


def _is_heading(block: Block, following: list[Block]) -> bool:
    text = item_text(block)
    if block.bold or block.heading:
        return True
    if not following:
        return False
    return len(text) <= 300 and len(sentences(text.rstrip(".:; "))) <= 1


def read_sections(blocks: list[Block]) -> list[Field]:
    out: list[Field] = []
    groups: list[tuple[Block, list[Block]]] = []
    for block in blocks:
        if block.kind == "number" and "." not in block.marker:
            groups.append((block, []))
        elif groups:
            groups[-1][1].append(block)
    for number, (head, following) in enumerate(groups, start=1):
        text = item_text(head)
        tasks: list[str] = []
        if _is_heading(head, following):
            title = text.rstrip(" .:;")
        else:
            colon = text.find(":")
            if 0 < colon <= 150 and len(sentences(text[:colon])) == 1:
                title, rest = text[:colon].strip(), text[colon + 1 :].strip()
            else:
                parts = sentences(text)
                title, rest = parts[0].rstrip(" ."), " ".join(parts[1:])
            tasks.extend(sentences(rest) if rest else [])
        tasks.extend(item_text(block) for block in following if item_text(block))
        repaired = head.repaired or any(block.repaired for block in following)
        value = {"number": head.marker or str(number), "title": title, "tasks": tasks}
        source = head.source() if not following else _span(head, following[-1])
        out.append(Field(value, source, repaired=repaired))
    return out


def _span(first: Block, last: Block) -> Source:
    return (
        lines_source([first.lines[0], *first.lines[1:], *last.lines]) if first is not last else first.source()
    )


def read_targets(blocks: list[Block]) -> list[Field]:
    out = []
    for block in blocks:
        text = item_text(block)
        if not text:
            continue
        value = read_target(text)
        if value:
            out.append(Field(value, block.source(), repaired=block.repaired))
    return out


def scan_targets(blocks: list[Block]) -> list[Field]:
    """No targets part: any sentence with a percentage is a quantified goal."""
    out = []
    for block in blocks:
        for sentence in sentences(item_text(block)):
            value = read_target(sentence, percent_only=True)
            if value:
                out.append(Field(value, block.source(), repaired=block.repaired))
    return out


def _unit_and_rest(text: str) -> tuple[str | None, str]:
    body = _LEAD_IN.sub("", text.strip())
    if re.match(r"^căn cứ\b", body, re.IGNORECASE) and ", " in body:
        body = body.split(", ", 1)[1]
    if not _UNIT_START.match(body):
        return None, text
    colon = body.find(":")
    if 0 < colon <= 160:
        return body[:colon].strip(" ,.;"), body[colon + 1 :].strip()
    end = _UNIT_END.search(body)
    if end and end.start() > 0:
        return body[: end.start()].strip(" ,.;"), body[end.start() :].strip(" ,")
    return body.strip(" ,.;"), ""


def read_assignments(blocks: list[Block]) -> list[Field]:
    out: list[Field] = []
    current: dict[str, object] | None = None
    current_blocks: list[Block] = []
    heading_style = False

    def flush() -> None:
        if current is None:
            return
        duties = clean(str(current["duties"]))
        unit = str(current["unit"])
        source = lines_source([line for block in current_blocks for line in block.lines])
        repaired = any(block.repaired for block in current_blocks)
        role = "other"
        if re.search(r"\bchủ trì\b", duties, re.IGNORECASE):
            role = "lead"
        elif _STARTS_CO_OP.match(duties):
            role = "co-operating"
        out.append(Field({"unit": unit, "role": role, "duties": duties}, source, repaired=repaired))
        if role == "lead":
            for match in _CO_OP.finditer(duties):
                partner = clean(match.group("units")).strip(" ,;")
                if partner and _UNIT_START.match(partner):
                    out.append(
                        Field(
                            {"unit": partner, "role": "co-operating", "duties": duties},
                            source,
                            repaired=repaired,
                        )
                    )

    for block in blocks:
        text = item_text(block)
        if not text:
            continue
        if block.kind == "number" and "." not in block.marker:
            unit, rest = _unit_and_rest(text)
            if unit is not None:
                flush()
                current = {"unit": unit, "duties": rest}
                current_blocks = [block]
                heading_style = not rest
                continue
            if current is not None:
                current["duties"] = f"{current['duties']} {text}"
                current_blocks.append(block)
                heading_style = True
            continue
        if block.kind == "para" and not heading_style:
            unit, rest = _unit_and_rest(text)
            if unit is not None and rest:
                flush()
                current = {"unit": unit, "duties": rest}
                current_blocks = [block]
                continue
        if current is not None and (heading_style or block.kind in ("bullet", "letter")):
            current["duties"] = f"{current['duties']} {text}"
            current_blocks.append(block)
    flush()
    for field_ in out:
        value = field_.value
        if not readable(value["unit"]):
            field_.notes.append("unit partly unreadable")
    return out
