"""Audit review, register extracts, KPI reports and exports."""
