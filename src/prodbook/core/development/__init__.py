"""Pure apparel rules on development: style profiles, fibre, tariff, lab dips, samples, vendor discrepancies."""
