"""Notifications: after a push, one JSON POST to a webhook (Slack-compatible), never a failure."""
