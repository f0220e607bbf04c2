"""Files and Excel: trackers read and written safely (both back ends), vendor files, mail, the report files."""
