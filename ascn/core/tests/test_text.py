from hypothesis import given
from hypothesis import strategies as st

from ascn.core.text import fold, search_blob


def test_fold_vietnamese_letters():
    assert fold("Đà Nẵng") == "da nang"
    assert fold("Hà Nội") == "ha noi"
    assert fold("Thành phố Hồ Chí Minh") == "thanh pho ho chi minh"
    assert fold("ĐỒNG") == "dong"


def test_fold_keeps_thai_and_other_scripts():
    assert fold("กรุงเทพมหานคร") == "กรุงเทพมหานคร"
    assert fold("ភ្នំពេញ") == "ភ្នំពេញ"
    assert fold("  Chiang   Mai ") == "chiang mai"


def test_search_blob_joins_folded_parts():
    assert search_blob("Da Nang", "Đà Nẵng", None, "") == "da nang | da nang"


@given(st.text())
def test_fold_is_idempotent(text):
    assert fold(fold(text)) == fold(text)
