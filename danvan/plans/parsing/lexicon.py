"""Vocabulary used to fill letters lost by PDF extraction: generic administrative Vietnamese.

This is general language of Vietnamese plans and directives, written for the parser; the document
being parsed adds its own intact words on top (see :mod:`repair`).
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from functools import lru_cache

CORPUS = """
cộng hòa xã hội chủ nghĩa việt nam, độc lập, tự do, hạnh phúc
kế hoạch thực hiện công tác dân vận chính quyền năm, triển khai trên địa bàn
ủy ban nhân dân tỉnh, ủy ban nhân dân huyện, ủy ban nhân dân xã, phường, thị trấn, thành phố, thị xã, quận
hội đồng nhân dân, mặt trận tổ quốc việt nam, các đoàn thể chính trị - xã hội
ban thường vụ tỉnh ủy, ban thường vụ huyện ủy, thành ủy, đảng ủy, ban dân vận, ban tuyên giáo
ban chấp hành trung ương đảng, ban bí thư, bộ chính trị, thủ tướng chính phủ, quốc hội
căn cứ luật, nghị định, thông tư, nghị quyết, kết luận, chỉ thị, quyết định, hướng dẫn, công văn
chương trình, đề án, quy định, thông báo, hiến pháp, quy chế, kế hoạch số, ngày tháng năm, của, về việc
mục đích, yêu cầu, nội dung, nhiệm vụ, giải pháp, chỉ tiêu, tổ chức thực hiện
tiếp tục đẩy mạnh, tăng cường, đổi mới, nâng cao hiệu quả, hiệu lực, chất lượng
nâng cao nhận thức, trách nhiệm của cán bộ, công chức, viên chức, người lao động, đảng viên
người đứng đầu cơ quan, đơn vị, địa phương, nhà nước các cấp trong tình hình mới
vận động quần chúng, nhân dân, người dân, doanh nghiệp, tổ chức, cá nhân, cộng đồng
gần dân, hiểu dân, học dân, trọng dân, trách nhiệm với dân, nghe dân nói, nói dân hiểu, làm dân tin
dân biết, dân bàn, dân làm, dân kiểm tra, dân giám sát, dân thụ hưởng
quy chế dân chủ ở cơ sở, thực hiện dân chủ ở cơ sở, dân chủ trực tiếp
cải cách hành chính, thủ tục hành chính, một cửa liên thông, dịch vụ công trực tuyến
chính quyền điện tử, chính quyền số, chuyển đổi số, công nghệ thông tin
tiếp công dân, giải quyết khiếu nại, tố cáo, kiến nghị, phản ánh, đơn thư, vượt cấp, kéo dài
đối thoại trực tiếp, tiếp xúc cử tri, chất vấn, hòa giải ở cơ sở
ban thanh tra nhân dân, ban giám sát đầu tư của cộng đồng
phát triển kinh tế - xã hội, quốc phòng - an ninh, trật tự an toàn xã hội
xây dựng đảng, chính quyền trong sạch vững mạnh, hệ thống chính trị
phong trào thi đua yêu nước, dân vận khéo, học tập và làm theo tư tưởng, đạo đức, phong cách hồ chí minh
lãnh đạo, chỉ đạo, điều hành, quán triệt, tuyên truyền, phổ biến, giáo dục pháp luật
chủ trương, đường lối của đảng, chính sách, pháp luật của nhà nước
kỷ luật, kỷ cương, đạo đức công vụ, văn hóa công sở, tác phong, lề lối làm việc
đội ngũ cán bộ, phẩm chất, năng lực, đáp ứng yêu cầu nhiệm vụ
bộ máy tinh gọn, hoạt động hiệu quả, sắp xếp tổ chức
giảm phiền hà, thời gian, chi phí, môi trường đầu tư kinh doanh
niêm yết công khai, minh bạch, đúng quy định, tạo thuận lợi, tiếp cận, giám sát
mức độ hài lòng, chứng thực, xác nhận, cấp giấy chứng nhận quyền sử dụng đất
bộ phận tiếp nhận và trả kết quả, trung tâm phục vụ hành chính công
đánh giá, xếp loại, khen thưởng, biểu dương, nhân rộng mô hình, điển hình
đất đai, hỗ trợ, bồi thường, giải phóng mặt bằng, tái định cư, thu hồi đất
an sinh xã hội, giảm nghèo, nông thôn mới, đô thị văn minh, chính sách xã hội
tham nhũng, lãng phí, tiêu cực, tệ nạn xã hội, tự diễn biến, tự chuyển hóa
phản biện xã hội, góp ý xây dựng đảng, xây dựng chính quyền
phối hợp, chủ trì, tham mưu, hướng dẫn, theo dõi, kiểm tra, đôn đốc, tổng hợp báo cáo
định kỳ sáu tháng, một năm, đột xuất, trước ngày, chậm nhất, gửi về, qua phòng nội vụ
văn phòng - thống kê, tư pháp - hộ tịch, văn hóa - xã hội, văn hóa - thông tin, thông tin truyền thông
tài chính - kế toán, địa chính - xây dựng, nông nghiệp, môi trường, công an, quân sự
phòng nội vụ, sở nội vụ, phòng văn hóa, trung tâm văn hóa, thể thao
trên đây là, đề nghị các, yêu cầu nghiêm túc, nơi nhận, lưu vt
chủ tịch, phó chủ tịch, thường trực, ủy viên, trưởng ban, phó trưởng ban
thôn, bản, tổ dân phố, khối phố, ấp, khu dân cư
nhằm, để góp phần, bảo đảm, đảm bảo, kịp thời, thường xuyên, cụ thể, thiết thực
chuyển biến tích cực trong hành động, hành vi, vị trí, vai trò, tầm quan trọng
thời kỳ đổi mới, công nghiệp hóa, hiện đại hóa, chuyên nghiệp, hiện đại
học hỏi kinh nghiệm, tháo gỡ khó khăn, vướng mắc, tiếp thu ý kiến, nguyện vọng
lắng nghe, giải thích, chấp hành, sáng tạo, chủ động, tinh thần, nâng cao
những vấn đề phát sinh, tổ chức thực hiện, sâu rộng, rộng rãi
người dân hiểu và chấp hành, được cung cấp, ứng dụng, mức độ
tiếp dân, tiếp nhận, xử lý, dứt điểm, nhạy cảm, bức xúc
thấu tình đạt lý, đồng tình ủng hộ, thủ trưởng, tiêu chuẩn thi đua
đồng thời, căn cứ chức năng, nhiệm vụ được giao, có liên quan
trọng tâm là, rà soát, sửa đổi, bổ sung, rườm rà, gây phiền hà
đoàn kết toàn dân, sức mạnh đại đoàn kết, khéo léo
quyền làm chủ của nhân dân, xây dựng chính quyền gần dân, sát dân
của, và, các, những, được, để, với, cho, trong, theo, từ, đến, tại, về, là, có, không, này, đó, khi, nếu
thì, mà, như, đã, đang, sẽ, phải, cần, nên, vì, do, bởi, nhất, cũng, còn, rất, hơn, mỗi, từng, mọi
toàn bộ, một, hai, ba, liên quan đến, gắn với, thông qua, qua đó, nhất là, trong đó, đối với
căn cứ vào, ngày càng, thực sự, đề xuất, kiến nghị, sáng kiến, cách làm hay, tích cực tham gia
đóng góp ý kiến, giữ vững, lĩnh vực, hành chính, kinh tế, văn hóa, giáo dục, y tế, lao động, việc làm
điều kiện lao động, quan hệ lao động, bộ luật lao động, quy định chi tiết, thi hành một số điều
nghiệp vụ chuyên môn, kỹ năng, bồi dưỡng, đào tạo, hội nghị giao ban, sơ kết, tổng kết
đoàn viên, hội viên, hội cựu chiến binh, hội phụ nữ, hội nông dân, đoàn thanh niên
"""

_TONES = dict.fromkeys(map(ord, "\u0300\u0301\u0303\u0309\u0323"))
_SYLLABLE = re.compile(
    r"^(?:ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdđghklmnprstvx])?"
    r"[aăâeêioôơuưy]{1,3}(?:ch|ng|nh|[cmnpt])?$"
)
WORD = re.compile(r"[^\W\d_]+")


def toneless(word: str) -> str:
    return unicodedata.normalize("NFC", unicodedata.normalize("NFD", word.lower()).translate(_TONES))


def is_syllable(word: str) -> bool:
    """Vietnamese spelling: a consonant-only piece such as "nh" or "p" is a fragment of a longer word."""
    return bool(_SYLLABLE.match(toneless(word)))


def masks(word: str) -> list[str]:
    """All forms of ``word`` with some letters lost (replaced by spaces), enough letters left to read."""
    length = len(word)
    least = max(1, (length + 1) // 3)
    out = []
    for bits in range(1, 1 << length):
        lost = [(bits >> i) & 1 for i in range(length)]
        if length - sum(lost) < least:
            continue
        out.append("".join(" " if lost[i] else word[i] for i in range(length)))
    return out


@lru_cache(maxsize=1)
def builtin() -> tuple[Counter[str], Counter[tuple[str, str]]]:
    words: Counter[str] = Counter()
    pairs: Counter[tuple[str, str]] = Counter()
    for row in CORPUS.strip().splitlines():
        for phrase in row.split(","):
            tokens = [token for token in WORD.findall(phrase.lower()) if is_syllable(token)]
            words.update(tokens)
            pairs.update(zip(tokens, tokens[1:], strict=False))
    return words, pairs


@lru_cache(maxsize=1)
def builtin_index() -> dict[str, tuple[str, ...]]:
    index: dict[str, list[str]] = {}
    for word in builtin()[0]:
        for key in masks(word):
            index.setdefault(key, []).append(word)
    return {key: tuple(values) for key, values in index.items()}
