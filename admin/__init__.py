"""The back office (piccolo-admin), audit review, KPI reports and exports."""
