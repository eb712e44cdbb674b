"""Alerts: rules on any metric and segment (fixed threshold, SLA target, control-chart breach,
quarter-over-quarter drift), judged month by month, recorded once per breach and delivered to
the dashboard, e-mail and webhooks (docs/alerts.md)."""
