"""API of the insights area: imports, linkage runs, releases and the dashboards' protected tables."""
