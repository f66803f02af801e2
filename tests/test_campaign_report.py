import io
from datetime import datetime

import openpyxl

from intellipush_sms_marketing.tools.campaign_report import build_workbook


def test_report_has_typed_cells_frozen_header_and_filters():
    summary = [
        {
            "name": "Julesalg",
            "sent_date": datetime(2026, 12, 1, 9, 30),
            "recipients": 50,
            "sent": 48,
            "delivered": 47,
            "failed": 1,
            "clicks": 20,
            "unique_visitors": 12,
            "click_rate": 0.25,
            "opt_outs": 1,
            "credits": 53.3352,
            "orders": 3,
            "revenue": 4497.5,
            "revenue_per_credit": 84.33,
            "co2_grams": 0.672,
        }
    ]
    visits = [
        {
            "campaign": "Julesalg",
            "recipient": "Kari Nordmann",
            "number": "+4741234567",
            "link": "https://butikk.no/jul",
            "first_visit": datetime(2026, 12, 1, 10, 0),
            "last_visit": datetime(2026, 12, 2, 8, 15),
            "visits": 3,
        }
    ]
    content = build_workbook(summary, visits, titles={"Campaigns": "Kampanjer", "Campaign": "Kampanje"})

    workbook = openpyxl.load_workbook(io.BytesIO(content))
    assert workbook.sheetnames == ["Kampanjer", "Visits"]
    campaigns = workbook["Kampanjer"]
    assert campaigns["A1"].value == "Kampanje"
    assert campaigns["A2"].value == "Julesalg"
    assert campaigns["B2"].value == datetime(2026, 12, 1, 9, 30)
    assert campaigns["C2"].value == 50 and isinstance(campaigns["C2"].value, int)
    assert campaigns["I2"].value == 0.25 and campaigns["I2"].number_format == "0.0%"
    assert campaigns.freeze_panes == "A2"
    assert [cell.value for cell in campaigns[1]][10:14] == [
        "Credits Spent",
        "Orders",
        "Revenue (excl. VAT)",
        "Revenue per credit",
    ]
    assert campaigns["L2"].value == 3 and isinstance(campaigns["L2"].value, int)
    assert campaigns["M2"].value == 4497.5 and campaigns["M2"].number_format == "0.00"
    assert campaigns["N2"].value == 84.33
    assert campaigns.auto_filter.ref == "A1:O2"
    assert campaigns.column_dimensions["A"].width > 8
    visits_sheet = workbook["Visits"]
    assert [cell.value for cell in visits_sheet[2]] == [
        "Julesalg",
        "Kari Nordmann",
        "+4741234567",
        "https://butikk.no/jul",
        datetime(2026, 12, 1, 10, 0),
        datetime(2026, 12, 2, 8, 15),
        3,
    ]


def test_empty_report_still_opens():
    workbook = openpyxl.load_workbook(io.BytesIO(build_workbook([], [])))
    assert workbook["Campaigns"].max_row == 1
