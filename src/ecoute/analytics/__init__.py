"""Read-only aggregates over a workspace: totals, breakdowns and volumes over time.

Analytics reach data only through the Store protocol, so the command line, the
web app and the API compute the same figures the same way.
"""
