"""The Excel report of SMS campaigns (xlsxwriter): a summary sheet comparing
campaigns and a sheet of visits per recipient, with typed cells, fitted
column widths, a frozen header row and an autofilter on each sheet."""

import io
from datetime import date, datetime

import xlsxwriter

SUMMARY_COLUMNS = [
    # (title, key, kind); titles are distinct in every language ("Sent on"
    # and "Sent" both read "Sendt" in Norwegian).
    ("Campaign", "name", "text"),
    ("Date Sent", "sent_date", "datetime"),
    ("Recipients", "recipients", "integer"),
    ("SMS Sent", "sent", "integer"),
    ("Delivered", "delivered", "integer"),
    ("Failed", "failed", "integer"),
    ("Clicks", "clicks", "integer"),
    ("Unique visitors", "unique_visitors", "integer"),
    ("Click rate", "click_rate", "percent"),
    ("Opt-outs", "opt_outs", "integer"),
    ("Credits Spent", "credits", "decimal"),
    ("Orders", "orders", "integer"),
    ("Revenue (excl. VAT)", "revenue", "decimal"),
    ("Revenue per credit", "revenue_per_credit", "decimal"),
    ("CO2 (g)", "co2_grams", "decimal"),
]
VISIT_COLUMNS = [
    ("Campaign", "campaign", "text"),
    ("Recipient", "recipient", "text"),
    ("Number", "number", "text"),
    ("Link", "link", "text"),
    ("First visit", "first_visit", "datetime"),
    ("Last visit", "last_visit", "datetime"),
    ("Visits", "visits", "integer"),
]


def build_workbook(summary_rows, visit_rows, titles=None):
    """The report as xlsx bytes. Rows are dicts keyed like the columns;
    ``titles`` translates column titles and sheet names."""
    titles = titles or {}
    output = io.BytesIO()
    workbook = xlsxwriter.Workbook(output, {"in_memory": True, "remove_timezone": True})
    formats = {
        "header": workbook.add_format({"bold": True, "bg_color": "#E8EEF4", "bottom": 1}),
        "text": None,
        "integer": workbook.add_format({"num_format": "0"}),
        "decimal": workbook.add_format({"num_format": "0.00"}),
        "percent": workbook.add_format({"num_format": "0.0%"}),
        "datetime": workbook.add_format({"num_format": "yyyy-mm-dd hh:mm"}),
    }
    for sheet_title, columns, rows in (
        ("Campaigns", SUMMARY_COLUMNS, summary_rows),
        ("Visits", VISIT_COLUMNS, visit_rows),
    ):
        sheet = workbook.add_worksheet(titles.get(sheet_title, sheet_title)[:31])
        widths = []
        for column, (title, _key, _kind) in enumerate(columns):
            label = titles.get(title, title)
            sheet.write_string(0, column, label, formats["header"])
            widths.append(len(label))
        for row_index, row in enumerate(rows, start=1):
            for column, (_title, key, kind) in enumerate(columns):
                value = row.get(key)
                widths[column] = max(widths[column], _write(sheet, row_index, column, value, kind, formats))
        for column, width in enumerate(widths):
            sheet.set_column(column, column, min(max(width, 6) + 2, 60))
        sheet.freeze_panes(1, 0)
        sheet.autofilter(0, 0, max(len(rows), 1), len(columns) - 1)
    workbook.close()
    return output.getvalue()


def _write(sheet, row, column, value, kind, formats):
    """Write one typed cell; return the width it needs."""
    if value is None or value is False:
        sheet.write_blank(row, column, None)
        return 0
    if kind == "datetime":
        if isinstance(value, date) and not isinstance(value, datetime):
            value = datetime(value.year, value.month, value.day)
        sheet.write_datetime(row, column, value, formats["datetime"])
        return 16
    if kind in ("integer", "decimal", "percent"):
        sheet.write_number(row, column, value, formats[kind])
        return len(f"{value:.2f}") if kind != "integer" else len(str(value))
    text = str(value)
    sheet.write_string(row, column, text)
    return len(text)
