from threadline.core.charts import bar_chart


def test_bar_chart_is_inline_svg_without_style_attributes_and_escapes_labels():
    svg = bar_chart([("<script>", 3), ("b", 0), ("c", 6)], title="Outcomes")
    assert svg.startswith("<svg") and "style=" not in svg
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    assert svg.count("<rect") == 3
    assert 'width="580"' in svg  # the biggest count spans the bar area
    assert 'width="0"' in svg


def test_empty_chart_is_empty():
    assert bar_chart([], title="x") == ""
