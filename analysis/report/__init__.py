"""The HTML report and its parts: charts, maps, style, wording, HTML assembly."""
