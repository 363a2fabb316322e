"""Vietnamese date formats for the platform's sentences.

Django's own start DATE_FORMAT with a capitalised "Ngày" ("Ngày 30 tháng 9 năm 2025"), so a sentence that says
"tính đến ngày %(date)s", as Vietnamese sentences do, read "tính đến ngày Ngày 30 tháng 9 năm 2025". Here a
date is "30 tháng 9 năm 2025" and the sentence gives the "ngày"; every other format is Django's.
"""

DATE_FORMAT = r"j \t\há\n\g n \nă\m Y"
DATETIME_FORMAT = r"H:i, j \t\há\n\g n \nă\m Y"
